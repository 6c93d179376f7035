/** The real app with Apple Wallet passes on, signed by a dev PKI made once per test run. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import request from 'supertest';
import { type AppDeps, buildApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import type { OutboxQueue } from '../../src/features/outbox/outbox-worker.js';
import type { DispatchReport } from '../../src/features/passes/apple-push-handler.js';
import { PassFetchThread } from '../../src/features/passes/pass-fetch-thread.js';
import { PassLinkSigner } from '../../src/features/passes/pass-links.js';
import type { PassService } from '../../src/features/passes/pass-service.js';
import { loadPassTemplates } from '../../src/features/passes/pass-templates.js';
import type { RateLimitOptions } from '../../src/http/rate-limits.js';
import { openPassSigner } from '../../src/integrations/apple/open-pass-signer.js';
import type { PushSender } from '../../src/integrations/apple/push-sender.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { testDatabaseUrl } from '../support/db.js';
import { ADMIN_TOKEN } from '../support/harness.js';
import { unzip } from './unzip.js';

export const PUBLIC_URL = 'https://passes.example.test';
export const PASS_TYPE_ID = 'pass.test.tierpass';

export interface PassHarness {
  app: ReturnType<typeof buildApp>['app'];
  store: Store;
  passes: PassService;
  /** Outbox delivery of pushes; present when started with a push sender. */
  passPushes: OutboxQueue<DispatchReport> | undefined;
  /** The pass fetch thread, when started with `thread`. */
  thread: PassFetchThread | undefined;
  /** The app's gate for pass fetches (decision 0049). */
  priority: ReturnType<typeof buildApp>['services']['requestPriority'];
  /** Root CA of the dev PKI (openssl -CAfile). */
  rootCa: string;
  /** Scratch directory (certificates, unzipped passes). */
  dir: string;
  close(): Promise<void>;
}

export async function startPassHarness(
  opts: {
    clock?: Clock;
    pushSender?: (certsDir: string) => PushSender;
    pushOnCommit?: boolean;
    /** An in-memory PGlite of its own instead of the run's shared test database (own outbox). */
    embedded?: boolean;
    /** A PostgreSQL database of its own (test/support/temp-db.ts): its own outbox. */
    databaseUrl?: string;
    /** Limits other than the defaults (http/rate-limits.ts). */
    rateLimits?: Partial<RateLimitOptions>;
    /** Client addresses from X-Forwarded-For (TRUST_PROXY). */
    trustProxy?: boolean;
    /** More buildApp options (e.g. a webhook policy allowing loopback receivers). */
    app?: Partial<Omit<AppDeps, 'store' | 'clock' | 'logger' | 'adminToken' | 'passes'>>;
    /** A logger other than a silent one (log-line tests). */
    logger?: pino.Logger;
    /** Signer certificates to load instead of a fresh dev PKI (certificate expiry tests). */
    certsDir?: string;
    /** Pass fetches from a thread at this nice value (decision 0054); `certsDir` for a thread that cannot start. */
    thread?: { nice: number; certsDir?: string };
    /** The pass fetch gate's options (decision 0049), other than the defaults. */
    fetches?: NonNullable<AppDeps['passes']>['fetches'];
  } = {},
): Promise<PassHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'tierpass-passes-'));
  const logger = opts.logger ?? pino({ level: 'silent' });
  const clock = opts.clock ?? { now: () => new Date() };
  const apple = await openPassSigner(
    {
      passTypeId: PASS_TYPE_ID,
      teamId: 'TEAMID0000',
      certsDir: opts.certsDir,
      keyPassphrase: undefined,
      devCertsDir: join(dir, 'certs'),
    },
    logger,
    clock,
  );
  const store = await openStore({
    databaseUrl: opts.embedded ? undefined : (opts.databaseUrl ?? testDatabaseUrl()),
    dataDir: 'memory://',
  });
  const linkSecret = 'test-link-secret-0123456789abcdef0123456789';
  const thread =
    opts.thread &&
    new PassFetchThread({
      entry: new URL('../../src/pass-fetch-worker.ts', import.meta.url),
      logger,
      databaseUrl: opts.databaseUrl ?? testDatabaseUrl(),
      poolSize: 2,
      certsDir: opts.thread.certsDir ?? opts.certsDir ?? join(dir, 'certs'),
      keyPassphrase: undefined,
      passTypeIdentifier: PASS_TYPE_ID,
      teamIdentifier: 'TEAMID0000',
      templatesDir: join(process.cwd(), 'pass-templates'),
      linkSecret,
      publicUrl: PUBLIC_URL,
      cacheEntries: 100,
      nice: opts.thread.nice,
    });
  const { app, services } = buildApp({
    store,
    clock,
    logger,
    adminToken: ADMIN_TOKEN,
    rateLimits: opts.rateLimits,
    trustProxy: opts.trustProxy,
    // The dev PKI (with its APNs client certificate) exists once the signer is open.
    pushSender: opts.pushSender?.(opts.certsDir ?? join(dir, 'certs')),
    pushOnCommit: opts.pushOnCommit,
    ...opts.app,
    passes: {
      signer: apple.signer,
      templates: await loadPassTemplates(join(process.cwd(), 'pass-templates')),
      links: new PassLinkSigner(linkSecret),
      publicUrl: PUBLIC_URL,
      cacheEntries: 100,
      certificates: apple.certificates,
      thread,
      fetches: opts.fetches,
    },
  });
  const rootCa = apple.devRootCa ?? (opts.certsDir ? join(opts.certsDir, 'root.pem') : null);
  if (!services.passes || !rootCa) throw new Error('passes not configured');
  return {
    app,
    store,
    passes: services.passes,
    passPushes: services.passPushes,
    thread,
    priority: services.requestPriority,
    rootCa,
    dir,
    close: async () => {
      await thread?.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Fetch a binary response body as a Buffer. */
/** A EUR program (1 point per unit) with Bronze and Gold (3,000 lifetime points): its API key header. */
export async function createBronzeGoldProgram(
  h: Pick<PassHarness, 'app'>,
): Promise<{ Authorization: string }> {
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Maison Lumière', currency: 'EUR', earning: { pointsPerUnit: 1 } });
  const auth = { Authorization: `Bearer ${res.body.apiKey}` };
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' }).expect(201);
  await request(h.app)
    .post('/v1/tiers')
    .set(auth)
    .send({ title: 'Gold', qualifications: [{ type: 'lifetimePoints', minPoints: 3000 }] })
    .expect(201);
  return auth;
}

export async function fetchPass(h: PassHarness, path: string, headers: Record<string, string> = {}) {
  return request(h.app)
    .get(path)
    .set(headers)
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
}

/** The files of a .pkpass and its parsed pass.json. */
export function openPkpass(body: Buffer) {
  const files = unzip(body);
  const passJsonFile = files['pass.json'];
  if (!passJsonFile) throw new Error('no pass.json');
  return { files, pass: JSON.parse(passJsonFile.toString('utf8')) };
}

const run = promisify(execFile);

/** `openssl smime -verify` of the detached signature over manifest.json; resolves when it verifies. */
export async function verifySignature(h: PassHarness, files: Record<string, Buffer>): Promise<string> {
  const sub = await mkdtemp(join(h.dir, 'pkpass-'));
  await writeFile(join(sub, 'signature'), files.signature ?? Buffer.alloc(0));
  await writeFile(join(sub, 'manifest.json'), files['manifest.json'] ?? Buffer.alloc(0));
  const { stderr } = await run('openssl', [
    'smime',
    '-verify',
    '-binary',
    '-inform',
    'DER',
    '-in',
    join(sub, 'signature'),
    '-content',
    join(sub, 'manifest.json'),
    '-CAfile',
    h.rootCa,
    '-purpose',
    'any',
    '-out',
    '/dev/null',
  ]);
  return stderr;
}
