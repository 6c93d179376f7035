/**
 * A local APNs stand-in: HTTP/2 over TLS on a real socket, with a throwaway certificate. A test
 * double shared by the push benchmark and the tests; it lives under scripts/lib so that src/
 * holds no test double and scripts/ never import test/ (docs/decisions/0035).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApnsPushSender } from '../../src/integrations/apple/apns-push-sender.js';

const run = promisify(execFile);

/** One push as the stand-in received it. */
export interface ReceivedPush {
  token: string;
  topic: string | undefined;
  body: string;
}

export interface ApnsStandIn {
  port: number;
  /** Its certificate, to trust as `ca`. */
  ca: string;
  pushes: ReceivedPush[];
  /** Answer this status (and reason) for a token from now on. */
  answer(token: string, status: number, reason?: string): void;
  close(): Promise<void>;
}

export async function startApnsStandIn(
  dir: string,
  /** Called as each push is received (benchmarks time delivery with it). */
  onPush?: (push: ReceivedPush) => void,
): Promise<ApnsStandIn> {
  const key = join(dir, 'apns-standin-key.pem');
  const cert = join(dir, 'apns-standin-cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  const ca = await readFile(cert, 'utf8');
  const pushes: ReceivedPush[] = [];
  const answers = new Map<string, { status: number; reason?: string }>();
  const server: Http2SecureServer = createSecureServer({ key: await readFile(key), cert: ca }, (req, res) => {
    const token = req.url.replace(/^\/3\/device\//, '');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const push: ReceivedPush = {
        token,
        topic: req.headers['apns-topic'] as string | undefined,
        body: Buffer.concat(chunks).toString(),
      };
      pushes.push(push);
      onPush?.(push);
      const a = answers.get(token);
      if (!a || a.status === 200) {
        res.writeHead(200, { 'apns-id': `id-${pushes.length}` }).end();
        return;
      }
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ reason: a.reason ?? 'Error', timestamp: Date.now() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    ca,
    pushes,
    answer: (token, status, reason) => answers.set(token, { status, reason }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

/**
 * The real APNs sender pointed at `standIn`, signing in with the APNs client certificate and key
 * the pass harness made in `certs` (its `pushSender` callback's argument).
 */
export function senderToStandIn(standIn: ApnsStandIn, certs: string): ApnsPushSender {
  return new ApnsPushSender({
    cert: readFileSync(join(certs, 'apnsCert.pem')),
    key: readFileSync(join(certs, 'apnsKey.pem')),
    production: false,
    address: '127.0.0.1',
    port: standIn.port,
    ca: [standIn.ca],
  });
}
