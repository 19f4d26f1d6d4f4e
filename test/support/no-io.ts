/**
 * Loaded before every unit test file (`npm run test:unit` passes it to node with --import): a unit test
 * opens no socket and starts no process, and one that tries fails at once, naming what it did. Such a test
 * is an integration test: name its file *.it.test.ts (see docs/development.md). Files stay allowed: a unit
 * test may write a temporary log or config.
 */
import childProcess from 'node:child_process';
import dgram from 'node:dgram';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

function refuse(what: string): never {
  throw new Error(`a unit test may not ${what}: this file does I/O, so it is an integration test (name it *.it.test.ts)`);
}

net.Socket.prototype.connect = function connect(): never {
  refuse('open a socket');
};
net.Server.prototype.listen = function listen(): never {
  refuse('listen on a port');
};
dgram.createSocket = (): never => refuse('open a UDP socket');
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  (childProcess as unknown as Record<string, unknown>)[name] = (): never => refuse(`start a process (child_process.${name})`);
}
// The named imports of node:child_process and node:dgram (ES modules) follow the patched functions.
syncBuiltinESMExports();
