/** A fake origin and a raw HTTP client for the proxy tests. */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeOrigin {
  endpoint: string;
  port: number;
  seen: Seen[];
  answer: { status: number; headers: Record<string, string>; body: string };
  close(): Promise<void>;
}

export async function fakeOrigin(): Promise<FakeOrigin> {
  const seen: Seen[] = [];
  const o = { answer: { status: 200, headers: { 'content-type': 'text/plain', etag: '"e1"' }, body: 'from-origin' } } as unknown as FakeOrigin;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(o.answer.status, o.answer.headers);
      res.end(o.answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  o.endpoint = `http://127.0.0.1:${port}`;
  o.port = port;
  o.seen = seen;
  o.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return o;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** One request on a fresh connection from `from` (a 127.x address); headers may repeat (array values). */
export function send(
  url: string,
  o: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string; from?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method: o.method ?? 'GET', headers: o.headers, localAddress: o.from ?? '127.0.0.1', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(o.body);
  });
}
