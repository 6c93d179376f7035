/**
 * A TCP proxy on a real socket between the service and PostgreSQL that can play a database
 * server restart: `cut()` resets every open connection and stops listening (new connections are
 * refused, as while a server is down), `restore()` listens again on the same port. The shared
 * PostgreSQL server itself is never touched.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** `databaseUrl` with its host and port replaced by the proxy's. */
  url(databaseUrl: string): string;
  /** Reset every open connection and refuse new ones until `restore()`. */
  cut(): Promise<void>;
  /** Accept connections again. */
  restore(): Promise<void>;
  /**
   * The next time a client sends `bytes`, pass them on to the server, then reset that client's
   * connection before any answer comes back (a connection lost while COMMIT is under way).
   */
  cutAfterClientSends(bytes: Buffer): void;
  /** Connections currently open through the proxy. */
  readonly open: number;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Start a proxy to the host and port of `databaseUrl`. */
export async function startTcpProxy(databaseUrl: string): Promise<TcpProxy> {
  const target = new URL(databaseUrl);
  const targetPort = Number(target.port || 5432);
  const targetHost = target.hostname || '127.0.0.1';
  const pairs = new Set<[Socket, Socket]>();
  let armed: Buffer | undefined;
  const makeServer = () =>
    createServer((client) => {
      const upstream = tcpConnect(targetPort, targetHost);
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      let committing = false;
      const end = () => {
        pairs.delete(pair);
        client.destroy();
        // A cut after passing bytes on lets them reach the server; it closes its side then.
        if (!committing) upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.on('data', (chunk: Buffer) => {
        if (armed && chunk.includes(armed)) {
          armed = undefined;
          committing = true;
          client.pause();
          upstream.unpipe(client);
          // end(), not destroy(): the bytes reach the server before the connection closes.
          upstream.end(chunk);
          client.resetAndDestroy();
          return;
        }
        if (!upstream.write(chunk)) client.pause();
      });
      upstream.on('drain', () => client.resume());
      upstream.pipe(client);
    });
  let server = makeServer();
  const port = await listen(server, 0);
  let listening = true;

  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
    });

  const proxy: TcpProxy = {
    port,
    url(databaseUrl) {
      const u = new URL(databaseUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async cut() {
      const closed = stopListening();
      // resetAndDestroy: the client sees ECONNRESET, as when a server process is killed.
      for (const [client, upstream] of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
      await closed;
    },
    async restore() {
      if (listening) return;
      server = makeServer();
      await listen(server, port);
      listening = true;
    },
    cutAfterClientSends(bytes) {
      armed = bytes;
    },
    get open() {
      return pairs.size;
    },
    async close() {
      await proxy.cut();
    },
  };
  return proxy;
}
