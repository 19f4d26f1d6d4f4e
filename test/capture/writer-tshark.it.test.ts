/**
 * The pcapng writer's files as Wireshark reads them: tshark dissects the conversation as WebSocket, with
 * the frames and opcodes each side sent. Skipped, saying why, without tshark.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../support/temp.js';
import { tsharkOpcodes, tsharkUnavailable, tsharkWebSocket } from './support/tools.js';
import { writtenConversation as conversation } from './support/written.js';

describe('pcapng writer', () => {
  describe('read by tshark', { skip: tsharkUnavailable() ?? false }, () => {
    const dir = tempDir('writer').path;

    for (const linkType of ['raw', 'ethernet'] as const) {
      it(`dissects our ${linkType} file as WebSocket, with the same frames and opcodes per direction`, () => {
        const { file, frames } = conversation({ linkType });
        const path = join(dir, `${linkType}.pcapng`);
        writeFileSync(path, file);
        const byEndpoint = tsharkOpcodes(tsharkWebSocket(path));
        assert.deepEqual(Object.fromEntries(byEndpoint), { '0 127.0.0.1:43210': frames.client, '0 127.0.0.1:9001': frames.server });
      });
    }
  });
});
