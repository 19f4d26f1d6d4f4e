/**
 * Credentials in query strings never reach an event; the upstream still gets the path as sent.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { IncomingMessage } from 'node:http';
import { redactPath } from '../../src/proxy/redact.js';
import { startTestProxy } from '../helpers/proxy.js';
import { openWsClient, startWsServer } from '../helpers/ws-servers.js';

describe('redactPath', () => {
  it('replaces values of credential-like parameters only', () => {
    assert.equal(redactPath('/ws'), '/ws');
    assert.equal(redactPath('/ws?room=1'), '/ws?room=1');
    assert.equal(redactPath('/ws?access_token=abc.def&room=1'), '/ws?access_token=REDACTED&room=1');
    assert.equal(redactPath('/ws?room=1&api_key=k&Signature=s&password=p&session=x&jwt=j'), '/ws?room=1&api_key=REDACTED&Signature=REDACTED&password=REDACTED&session=REDACTED&jwt=REDACTED');
    assert.equal(redactPath('/ws?auth%5Ftoken=x'), '/ws?auth%5Ftoken=REDACTED', 'percent-encoded names are judged decoded');
    assert.equal(redactPath('/ws?token=&flag&token'), '/ws?token=&flag&token', 'nothing to hide in empty values');
    assert.equal(redactPath('/ws?token=x#frag'), '/ws?token=REDACTED#frag');
    assert.equal(redactPath('/ws?%E0%A4%A=1&key=2'), '/ws?%E0%A4%A=1&key=REDACTED', 'a malformed escape does not throw');
  });
});

describe('the proxy keeps tokens out of its events', () => {
  const seen: string[] = [];
  let closeServer: () => Promise<void> = async () => {};
  after(() => closeServer());

  it('the open event shows the redacted path; the upstream receives the real one', async () => {
    const server = await startWsServer({ verifyClient: (info: { req: IncomingMessage }) => (seen.push(info.req.url ?? ''), true) });
    closeServer = () => server.close();
    const { proxy, log } = await startTestProxy(server.url);
    try {
      const ws = await openWsClient(`${proxy.url}/live?access_token=s3cr3t&room=7`);
      const open = await log.waitFor('open');
      assert.equal(open.path, '/live?access_token=REDACTED&room=7');
      assert.deepEqual(seen, ['/live?access_token=s3cr3t&room=7']);
      ws.close();
      await log.closed(open.conn);
      assert.doesNotMatch(JSON.stringify(log.events), /s3cr3t/);
    } finally {
      await proxy.close();
    }
  });
});
