/**
 * GraphQL over WebSocket: graphql-transport-ws (the graphql-ws library's PROTOCOL.md) and
 * subscriptions-transport-ws (Apollo's legacy PROTOCOL.md, subprotocol "graphql-ws").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utf8, view } from './support.js';

const gtw = (message: unknown) => view({ subprotocol: 'graphql-transport-ws', bytes: utf8(JSON.stringify(message)) });
const legacy = (message: unknown) => view({ subprotocol: 'graphql-ws', bytes: utf8(JSON.stringify(message)) });

describe('graphql-transport-ws', () => {
  const cases: Array<[unknown, string]> = [
    [{ type: 'connection_init' }, 'connection_init'],
    [{ type: 'connection_ack', payload: { server: 'yoga' } }, 'connection_ack: {"server":"yoga"}'],
    [{ type: 'ping' }, 'ping'],
    [{ type: 'pong', payload: { t: 1 } }, 'pong: {"t":1}'],
    [{ id: '1', type: 'subscribe', payload: { query: 'subscription {\n  greetings\n}' } }, 'subscribe id 1: subscription { greetings }'],
    [
      { id: '2', type: 'subscribe', payload: { operationName: 'OnMsg', query: 'subscription OnMsg { msg }', variables: { room: 'a' } } },
      'subscribe id 2: OnMsg',
    ],
    [{ id: '1', type: 'next', payload: { data: { greetings: 'Hi' } } }, 'next id 1: {"data":{"greetings":"Hi"}}'],
    [{ id: '1', type: 'error', payload: [{ message: 'Cannot query field "x"' }] }, 'error id 1: Cannot query field "x"'],
    [{ id: '1', type: 'complete' }, 'complete id 1'],
  ];
  for (const [message, summary] of cases) {
    it(summary, () => {
      const result = gtw(message);
      assert.deepEqual([result.protocol, result.summary], ['graphql-transport-ws', summary]);
    });
  }

  it('subscribe shows the query as written, then the variables', () => {
    const result = gtw({
      id: '2',
      type: 'subscribe',
      payload: { operationName: 'OnMsg', query: 'subscription OnMsg {\n  msg\n}', variables: { room: 'a' } },
    });
    assert.equal(
      result.text,
      'graphql-transport-ws subscribe (id 2)\noperation: OnMsg\nquery:\n  subscription OnMsg {\n    msg\n  }\nvariables:\n  {\n    "room": "a"\n  }',
    );
  });

  it('connection_init: what the client authenticates with is masked', () => {
    const result = gtw({ type: 'connection_init', payload: { authorization: 'Bearer abc', headers: { 'x-api-key': 'k' }, locale: 'fr' } });
    assert.equal(result.summary, 'connection_init: {"authorization":"REDACTED","headers":{"x-api-key":"REDACTED"},"locale":"fr"}');
    assert.doesNotMatch(JSON.stringify(result), /Bearer abc|"k"/);
  });

  it('an unknown type: the server closes with 4400', () => {
    assert.match(gtw({ type: 'hello' }).text, /"hello" is not a graphql-transport-ws message type \(the server closes with 4400\)/);
  });

  it('a legacy message on a graphql-transport-ws connection: the two sides disagree', () => {
    assert.match(
      gtw({ id: '1', type: 'start', payload: { query: '{a}' } }).text,
      /"start" is a subscriptions-transport-ws message, but the subprotocol is graphql-transport-ws/,
    );
  });
});

describe('subscriptions-transport-ws (subprotocol "graphql-ws")', () => {
  const cases: Array<[unknown, string]> = [
    [{ type: 'connection_init', payload: { authToken: 'abc' } }, 'connection_init: {"authToken":"REDACTED"}'],
    [{ type: 'connection_ack' }, 'connection_ack'],
    [{ type: 'ka' }, 'ka'],
    [{ id: '1', type: 'start', payload: { query: 'subscription { a }' } }, 'start id 1: subscription { a }'],
    [{ id: '1', type: 'data', payload: { data: { a: 1 } } }, 'data id 1: {"data":{"a":1}}'],
    [{ id: '1', type: 'error', payload: { message: 'bad' } }, 'error id 1: bad'],
    [{ type: 'connection_error', payload: { message: 'nope' } }, 'connection_error: {"message":"nope"}'],
    [{ id: '1', type: 'stop' }, 'stop id 1'],
    [{ id: '1', type: 'complete' }, 'complete id 1'],
    [{ type: 'connection_terminate' }, 'connection_terminate'],
  ];
  for (const [message, summary] of cases) {
    it(summary, () => {
      const result = legacy(message);
      assert.deepEqual([result.protocol, result.summary], ['subscriptions-transport-ws', summary]);
    });
  }

  it('the name clash: graphql-transport-ws messages under "graphql-ws" are called out', () => {
    const result = legacy({ id: '1', type: 'subscribe', payload: { query: '{a}' } });
    assert.equal(result.protocol, 'subscriptions-transport-ws');
    assert.match(
      result.text,
      /"subscribe" is a graphql-transport-ws message, but the subprotocol "graphql-ws" names subscriptions-transport-ws: client and server disagree on the protocol/,
    );
  });

  it('a numeric id is shown as written', () => {
    assert.equal(legacy({ id: 7, type: 'stop' }).summary, 'stop id 7');
  });
});
