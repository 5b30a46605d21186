import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on a loopback address only (port 0 = a free one) and resolves with the port. */
export async function listenLocal(server: Server, port = 0, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * A stop function that may be called any number of times: closes the server
 * and its keep-alive connections (which would otherwise hold close() open),
 * then runs `after`.
 */
export function closeOnce(server: Server, after: () => void = () => {}): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () => {
    stopped ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }).then(after);
    return stopped;
  };
}
