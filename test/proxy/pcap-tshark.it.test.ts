/**
 * The --pcap recorder's file as Wireshark reads it, where wsdiag's own reader cannot tell: two connections
 * on the same ports (Linux reuses a TIME_WAIT connection's ports on loopback) are two TCP streams on each leg,
 * because each connection starts at sequence numbers of its own. With the same numbers for both (as before
 * 2026-12-05) tshark merged them and dissected none of the second one's frames. Skipped without tshark.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tsharkOpcodes, tsharkUnavailable, tsharkWebSocket } from '../capture/support/tools.js';
import { tempDir } from '../support/temp.js';
import { recordedTwice } from './support/recorder.js';

const dir = tempDir('pcap-tshark');

describe('proxy --pcap: two connections on the same ports, read by tshark', { skip: tsharkUnavailable() ?? false }, () => {
  it('are four TCP streams, each with its frame', () => {
    const path = dir.file('reused-ports.pcapng');
    writeFileSync(path, recordedTwice());
    const byStream = tsharkOpcodes(tsharkWebSocket(path));
    assert.deepEqual([...byStream.values()], [[1], [1], [1], [1]], JSON.stringify(Object.fromEntries(byStream)));
    assert.equal(new Set([...byStream.keys()].map((key) => key.split(' ')[0])).size, 4);
  });
});
