/** A webhook receiver on a real socket (127.0.0.1) that records every request and can go down. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: { id: string; type: string; createdAt: string; data: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  /** What the receiver answered. */
  status: number;
}

export interface Receiver {
  url: string;
  port: number;
  /** Every request that reached the receiver, in arrival order. */
  requests: Received[];
  /** The status to answer from now on (default 200). */
  answer(status: number | ((r: Omit<Received, 'status'>) => number)): void;
  /** Stop listening: deliveries meet "connection refused". */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  let respond: (r: Omit<Received, 'status'>) => number = () => 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const seen = { headers: req.headers, raw, body: JSON.parse(raw) };
      const status = respond(seen);
      requests.push({ ...seen, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    requests,
    answer(status) {
      respond = typeof status === 'number' ? () => status : status;
    },
    down: stop,
    up: () => listen(port),
    async close() {
      if (server.listening) await stop();
    },
  };
}
