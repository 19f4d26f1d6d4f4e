/**
 * Learning from 1003 closes: record what the endpoint rejected after which message, explain it in the
 * peer-close event, apply it to the next connections and to open ones on the same route, and do nothing
 * of the kind with --no-learn.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyLearner, describeMessage, learnedPolicy, type RelayedMessage } from '../../src/policy/learn.js';
import { flagTypePolicies } from '../../src/policy/resolve.js';
import { TestCompressor } from '../support/deflate.js';
import { binary, close, openConnection, summary, text } from './harness.js';

const JSON_BODY = '{"op":"subscribe","topic":"prices"}'; // 35 bytes

describe('learning from a 1003 close', () => {
  it('records that the server rejects binary on the route and explains the close', () => {
    const learner = new PolicyLearner();
    const c1 = openConnection({ conn: 'c1', path: '/feed?token=1', learner });
    c1.client(text('hello'));
    c1.server(text('welcome'));
    c1.client(binary(JSON_BODY));
    c1.server(close(1003, 'binary not supported'));
    c1.end();
    const [peerClose] = c1.peerCloses();
    assert.equal(peerClose!.by, 'server');
    assert.equal(peerClose!.code, 1003);
    assert.equal(peerClose!.reason, 'binary not supported');
    assert.equal(peerClose!.cause, null);
    assert.equal(peerClose!.blame, 'client');
    assert.equal(
      peerClose!.explain,
      'The server closed with 1003 (unsupported data) right after wsdiag relayed it binary message #1 (frame #1, 35 bytes): ' +
        'it does not accept binary messages on /feed, so wsdiag now expects text there and reports binary messages the client sends to it as unsupported-binary (learned policy).',
    );
    assert.deepEqual(
      learner.lessons.map((l) => [l.conn, l.dir, l.route, l.rejected, l.policy]),
      [
        [
          'c1',
          'client->server',
          { path: '/feed', subprotocol: null },
          'binary',
          { accepts: 'text', source: 'learned from c1 (closed 1003 after a binary message #1, 35 bytes)' },
        ],
      ],
    );
    assert.deepEqual(c1.violations(), [], 'nothing was a violation on the connection it was learned from');
  });

  it('applies the lesson to the next connection on the route as a violation naming its origin', () => {
    const learner = new PolicyLearner();
    const c1 = openConnection({ conn: 'c1', path: '/feed', learner });
    c1.client(binary(JSON_BODY));
    c1.server(close(1003));
    c1.end();

    const c2 = openConnection({ conn: 'c2', path: '/feed?token=2', learner });
    assert.equal(c2.resolved.origins['client->server'], 'learned');
    c2.client(text('ok'), binary(JSON_BODY));
    c2.end();
    assert.deepEqual(summary(c2.violations()), [['unsupported-binary', 'client->server', 'client', 1]]);
    assert.equal(
      c2.violations()[0]!.message,
      'Binary message of 35 bytes (frame #1) sent to a server that accepts only text (policy: learned from c1 (closed 1003 after a binary message #0, 35 bytes)).',
    );
    assert.match(c2.violations()[0]!.hint, /^The payload is text \(it looks like JSON\)/);
  });

  it("learns what the client rejects from the client's 1003, for server->client", () => {
    const learner = new PolicyLearner();
    const c1 = openConnection({ conn: 'c1', path: '/mqtt', subprotocol: 'custom', learner });
    c1.server(text('tick'));
    c1.client(close(1003));
    c1.end();
    assert.equal(c1.peerCloses()[0]!.blame, 'server');
    assert.match(
      c1.peerCloses()[0]!.explain,
      /^The client closed with 1003 \(unsupported data\) right after wsdiag relayed it text message #0 \(frame #0, 4 bytes\): it does not accept text messages on \/mqtt \(subprotocol custom\), so wsdiag now expects binary there/,
    );

    const c2 = openConnection({ conn: 'c2', path: '/mqtt', subprotocol: 'custom', learner });
    c2.server(binary('x'), text('tock'));
    c2.client(text('from the client is not concerned'));
    c2.end();
    assert.deepEqual(summary(c2.violations()), [['unsupported-text', 'server->client', 'server', 1]]);
    assert.match(
      c2.violations()[0]!.message,
      /sent to a client that accepts only binary \(policy: learned from c1 \(closed 1003 after a text message #0, 4 bytes\)\)/,
    );
  });

  it('updates connections already open on the same route, from their next message on', () => {
    const learner = new PolicyLearner();
    const open = openConnection({ conn: 'c1', path: '/feed', learner });
    const otherPath = openConnection({ conn: 'c2', path: '/other', learner });
    const otherSubprotocol = openConnection({ conn: 'c3', path: '/feed', subprotocol: 'v2', learner });
    const flagged = openConnection({
      conn: 'c4',
      path: '/feed',
      learner,
      inputs: { flags: { typePolicies: flagTypePolicies({ serverAccepts: 'any' }) } },
    });
    for (const c of [open, otherPath, otherSubprotocol, flagged]) c.client(binary('before'));

    const teacher = openConnection({ conn: 'c5', path: '/feed', learner });
    teacher.client(binary('x'));
    teacher.server(close(1003));
    teacher.end();

    for (const c of [open, otherPath, otherSubprotocol, flagged]) {
      c.client(binary('after'));
      c.end();
    }
    assert.deepEqual(summary(open.violations()), [['unsupported-binary', 'client->server', 'client', 1]]);
    assert.match(open.violations()[0]!.message, /policy: learned from c5/);
    assert.deepEqual(otherPath.violations(), []);
    assert.deepEqual(otherSubprotocol.violations(), []);
    assert.deepEqual(flagged.violations(), [], 'a flag is more specific than a lesson');
  });

  it('learns from fragmented and compressed messages, naming their size after inflation', () => {
    const learner = new PolicyLearner();
    const c1 = openConnection({ conn: 'c1', path: '/z', learner });
    c1.client(binary('abc', { fin: false }), { opcode: 0x0, payload: 'defg', fin: false }, { opcode: 0x0, payload: 'h' });
    c1.server(close(1003));
    c1.end();
    assert.match(c1.peerCloses()[0]!.explain, /binary message #0 \(first frame #0, 3 frames, 8 bytes\)/);

    const c2 = openConnection({ conn: 'c2', path: '/deflate', extensions: 'permessage-deflate', learner });
    c2.client(binary(new TestCompressor(true).compress('eleven char'), { rsv1: true }));
    c2.server(close(1003));
    c2.end();
    assert.match(
      c2.peerCloses()[0]!.explain,
      /binary message #0 \(frame #0, 11 bytes after inflation\): it does not accept binary messages on \/deflate/,
    );
    assert.equal(learner.policyFor('client->server', { path: '/deflate', subprotocol: null })?.accepts, 'text');
  });

  it('confirms a known lesson and forgets one that a later close contradicts', () => {
    const learner = new PolicyLearner();
    const teach = (conn: string, message: ReturnType<typeof text>): string => {
      const c = openConnection({ conn, path: '/feed', learner });
      c.client(message);
      c.server(close(1003));
      c.end();
      return c.peerCloses()[0]!.explain;
    };
    teach('c1', binary('x'));
    // c2 starts with the learned policy, so its binary message is a violation and explains the close itself.
    const c2 = openConnection({ conn: 'c2', path: '/feed', learner });
    c2.client(binary('x'));
    c2.server(close(1003));
    c2.end();
    assert.deepEqual(c2.peerCloses()[0]!.cause, {
      rule: 'unsupported-binary',
      dir: 'client->server',
      frame: { index: 0, offset: 0, opcode: 2, length: 1 },
    });
    assert.match(
      c2.peerCloses()[0]!.explain,
      /after the client broke unsupported-binary \(frame #0 at offset 0\), exactly the code wsdiag expected/,
    );
    assert.equal(learner.lessons.length, 1);

    const contradiction = teach('c3', text('x'));
    assert.equal(
      contradiction,
      'The server closed with 1003 (unsupported data) right after wsdiag relayed it text message #0 (frame #0, 1 byte), although wsdiag had learned from c1 that it rejects binary on /feed: ' +
        'its 1003 is not about the message type alone, so wsdiag forgets that learned policy.',
    );
    assert.deepEqual(learner.lessons, []);
    const c4 = openConnection({ conn: 'c4', path: '/feed', learner });
    assert.deepEqual(c4.resolved.typePolicies, {});
  });

  it('a known lesson seen again (e.g. under a flag that checks nothing) says where it was learned', () => {
    const learner = new PolicyLearner();
    for (const conn of ['c1', 'c2']) {
      const c = openConnection({
        conn,
        path: '/feed',
        learner,
        inputs: { flags: { typePolicies: flagTypePolicies({ serverAccepts: 'any' }) } },
      });
      c.client(binary('x'));
      c.server(close(1003));
      c.end();
      if (conn === 'c2')
        assert.match(c.peerCloses()[0]!.explain, /: it does not accept binary messages on \/feed, as wsdiag learned from c1\.$/);
    }
    assert.deepEqual(
      learner.lessons.map((l) => l.conn),
      ['c1'],
    );
  });

  it('--no-learn explains the close but records and applies nothing', () => {
    const learner = new PolicyLearner({ enabled: false });
    const c1 = openConnection({ conn: 'c1', path: '/feed', learner });
    c1.client(binary(JSON_BODY));
    c1.server(close(1003));
    c1.end();
    assert.equal(
      c1.peerCloses()[0]!.explain,
      'The server closed with 1003 (unsupported data) right after wsdiag relayed it binary message #0 (frame #0, 35 bytes): it does not accept binary messages; the client should send text (learning is off, so later messages are not checked).',
    );
    assert.deepEqual(learner.lessons, []);
    const c2 = openConnection({ conn: 'c2', path: '/feed', learner });
    c2.client(binary(JSON_BODY));
    c2.end();
    assert.deepEqual(c2.violations(), []);
  });

  it('leaves other closes alone: other codes, nothing relayed before, or a violation that explains it', () => {
    const learner = new PolicyLearner();
    const normal = openConnection({ conn: 'c1', path: '/feed', learner });
    normal.client(binary('x'));
    normal.server(close(1000));
    normal.end();
    const silent = openConnection({ conn: 'c2', path: '/feed', learner });
    silent.server(close(1003));
    silent.end();
    assert.match(silent.peerCloses()[0]!.explain, /although every frame wsdiag relayed to it was valid/);
    const explained = openConnection({ conn: 'c3', path: '/feed', learner });
    explained.client({ opcode: 0x1, payload: Uint8Array.of(0xff) });
    explained.server(close(1003));
    explained.end();
    assert.equal(explained.peerCloses()[0]!.cause?.rule, 'invalid-utf8-text');
    assert.deepEqual(learner.lessons, []);
    assert.equal(normal.peerCloses()[0]!.explain, 'The server started the closing handshake with 1000 (normal closure).');
  });

  it('learns nothing when both types reached the endpoint since it last sent a message', () => {
    const learner = new PolicyLearner();
    const pipelined = openConnection({ conn: 'c1', path: '/feed', learner });
    pipelined.client(binary('a'), text('b'));
    pipelined.server(close(1003));
    pipelined.end();
    assert.equal(
      pipelined.peerCloses()[0]!.explain,
      'The server closed with 1003 (unsupported data) right after wsdiag relayed it text message #1 (frame #1, 1 byte), but binary message #0 (frame #0, 1 byte) also reached it since it last sent a message: ' +
        'wsdiag cannot tell which type it rejects, so it learns nothing from this close.',
    );
    assert.equal(pipelined.peerCloses()[0]!.blame, 'client');
    assert.equal(learner.lessons.length, 0);

    // A message from the server in between answers the earlier one: the close is pinned on the last message.
    const answered = openConnection({ conn: 'c2', path: '/feed', learner });
    answered.client(binary('a'));
    answered.server(text('ack'));
    answered.client(text('b'));
    answered.server(text('error: text is not supported'), close(1003));
    answered.end();
    assert.deepEqual(
      learner.lessons.map((l) => [l.conn, l.rejected, l.message.index]),
      [['c2', 'text', 1]],
    );
  });

  it('keeps at most maxRoutes lessons, forgetting the oldest', () => {
    const learner = new PolicyLearner({ maxRoutes: 2 });
    for (const id of ['1', '2', '3']) {
      const c = openConnection({ conn: `c${id}`, path: `/cp/${id}`, learner });
      c.client(binary('x'));
      c.server(close(1003));
      c.end();
    }
    assert.deepEqual(
      learner.lessons.map((l) => l.route.path),
      ['/cp/2', '/cp/3'],
    );
    assert.equal(learner.policyFor('client->server', { path: '/cp/1', subprotocol: null }), null);
  });

  it('remembers the last complete data message relayed to each side, control frames aside', () => {
    const c = openConnection({ conn: 'c1', path: '/feed', learner: new PolicyLearner() });
    assert.equal(c.learning!.lastMessageTo('server'), null);
    c.client(text('one'), binary('two!'), { opcode: 0x9, payload: 'ping' });
    c.server(text('back'));
    assert.deepEqual(c.learning!.lastMessageTo('server'), {
      index: 1,
      firstFrame: 1,
      frames: 1,
      type: 'binary',
      size: 4,
      sizeKnown: true,
      compressed: false,
    });
    assert.deepEqual(c.learning!.lastMessageTo('client'), {
      index: 0,
      firstFrame: 0,
      frames: 1,
      type: 'text',
      size: 4,
      sizeKnown: true,
      compressed: false,
    });
    c.end();
  });

  it('stops updating a connection once it ended', () => {
    const learner = new PolicyLearner();
    let updates = 0;
    const tracked = learner.track({ conn: 'c1', path: '/feed', subprotocol: null });
    tracked.attach({
      setTypePolicy: () => {
        updates++;
      },
    });
    tracked.end();
    const teacher = openConnection({ conn: 'c2', path: '/feed', learner });
    teacher.client(binary('x'));
    teacher.server(close(1003));
    teacher.end();
    assert.equal(updates, 0);
    assert.equal(learner.lessons.length, 1);
  });
});

describe('message descriptions', () => {
  const message = (extra: Partial<RelayedMessage>): RelayedMessage => ({
    index: 2,
    firstFrame: 5,
    frames: 1,
    type: 'binary',
    size: 18,
    sizeKnown: true,
    compressed: false,
    ...extra,
  });

  it('say which message, its number, first frame, size and type', () => {
    assert.equal(describeMessage(message({})), 'binary message #2 (frame #5, 18 bytes)');
    assert.equal(describeMessage(message({ frames: 3, type: 'text' })), 'text message #2 (first frame #5, 3 frames, 18 bytes)');
    assert.equal(describeMessage(message({ compressed: true })), 'binary message #2 (frame #5, 18 bytes after inflation)');
    assert.equal(describeMessage(message({ sizeKnown: false, size: 1 })), 'binary message #2 (frame #5, at least 1 byte)');
  });

  it('name the learned policy after the connection and message', () => {
    assert.deepEqual(learnedPolicy('c9', message({})), {
      accepts: 'text',
      source: 'learned from c9 (closed 1003 after a binary message #2, 18 bytes)',
    });
    assert.deepEqual(learnedPolicy('c9', message({ type: 'text', size: 1 })), {
      accepts: 'binary',
      source: 'learned from c9 (closed 1003 after a text message #2, 1 byte)',
    });
  });
});
