import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  body: string;
  delayMs?: number;
}

export interface LocalServer {
  url: string;
  requests: Array<{ method: string; url: string; body: string }>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and a random port, answering with `handle` (tests only). */
export async function startLocalServer(handle: (req: { method: string; url: string; body: string }, n: number) => Reply): Promise<LocalServer> {
  const requests: LocalServer['requests'] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      const reply = handle(r, requests.length);
      const send = (): void => {
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(reply.body);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** TuShare's documented answer envelope. */
export function tushareOk(fields: string[], items: unknown[][]): Reply {
  return { body: JSON.stringify({ request_id: 'test', code: 0, msg: '', data: { fields, items, has_more: false } }) };
}

export function tushareError(code: number, msg: string): Reply {
  return { body: JSON.stringify({ request_id: 'test', code, msg, data: null }) };
}
