/**
 * Loopback ports and servers for the tests: a server listening on a free port of 127.0.0.1, a port that is
 * free (for configs that must name it before anything listens there), a port that is taken.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';

/** Anything with node's listen/address/close: net, http, https, tls servers. */
type Listener = Pick<Server, 'listen' | 'address' | 'close'>;

/** Listens on 127.0.0.1 (port 0 by default: a free one) and resolves with the port. */
export async function listen(server: Listener, port = 0, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return (server.address() as AddressInfo).port;
}

/** Closes a server and resolves once it closed (its open connections are the caller's to end first). */
export function closeServer(server: Listener): Promise<void> {
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A port of 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

/**
 * Several free ports of 127.0.0.1, all different, each held (something listens there) until `release()`:
 * for a test that names ports in a child's command line and, before starting the child, binds listeners of
 * its own on port 0, which could otherwise be handed a port it has just been told is free.
 */
export async function heldPorts(count: number): Promise<{ ports: number[]; release: () => Promise<void> }> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(servers.map((server) => listen(server)));
  return {
    ports,
    release: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}

/**
 * A port of 127.0.0.1 that something listens on until `release()`: for "the address is already in use",
 * or to keep a port chosen for later from being handed to a port-0 listener meanwhile (heldPorts, one port).
 */
export async function occupiedPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = createServer();
  const port = await listen(server);
  return { port, release: () => closeServer(server) };
}
