/**
 * The real app on the real PostgreSQL test database, driven through supertest — or on the
 * in-memory store adapter (`store: 'memory'`, or TEST_STORE=memory), for fast service tests
 * without the scheduler (docs/decisions/0037).
 */
import { type Logger, pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import type { RateLimitOptions } from '../../src/http/rate-limits.js';
import { openMemoryStore } from '../../src/store/memory/memory-store.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { testDatabaseUrl } from './db.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface Harness {
  store: Store;
  app: ReturnType<typeof buildApp>['app'];
  http: ReturnType<typeof request.agent>;
  close(): Promise<void>;
}

/** A settable clock for tests that need the real time to stand still. */
export function fixedClock(start: Date): Clock & { set(d: Date): void } {
  let now = start;
  return { now: () => now, set: (d) => (now = d) };
}

/** Which store adapter a harness builds the app on. */
export type StoreKind = 'postgres' | 'memory';

/** The adapter asked for by TEST_STORE (`memory`), else PostgreSQL. */
export function defaultStoreKind(): StoreKind {
  return process.env.TEST_STORE === 'memory' ? 'memory' : 'postgres';
}

/** A fresh store of `kind`: the PostgreSQL test database, or an empty in-memory store. */
export function openTestStore(kind: StoreKind = defaultStoreKind()): Promise<Store> {
  return kind === 'memory'
    ? openMemoryStore()
    : openStore({ databaseUrl: testDatabaseUrl(), dataDir: 'memory://' });
}

export async function startHarness(
  opts: {
    clock?: Clock;
    /** A store to use, or the kind of store to open (default: TEST_STORE, else PostgreSQL). */
    store?: Store | StoreKind;
    /** Limits other than the defaults (http/rate-limits.ts). */
    rateLimits?: Partial<RateLimitOptions>;
    /** Client addresses from X-Forwarded-For (TRUST_PROXY). */
    trustProxy?: boolean;
    /** PUBLIC_URL (session cookies, allowed Origin). */
    publicUrl?: string;
    /** Built console directory (a stand-in in tests). */
    consoleDir?: string;
    /** Console session lifetime, hours. */
    sessionTtlHours?: number;
    /** Another logger than a silent one (log assertions). */
    logger?: Logger;
  } = {},
): Promise<Harness> {
  const store =
    typeof opts.store === 'object' ? opts.store : await openTestStore(opts.store ?? defaultStoreKind());
  const { app } = buildApp({
    store,
    clock: opts.clock ?? { now: () => new Date() },
    logger: opts.logger ?? pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    rateLimits: opts.rateLimits,
    trustProxy: opts.trustProxy,
    publicUrl: opts.publicUrl,
    consoleDir: opts.consoleDir,
    sessionTtlHours: opts.sessionTtlHours,
  });
  return { store, app, http: request.agent(app), close: () => store.close() };
}

/** Create a program through the admin API; returns its key and id. */
export async function createProgram(
  h: Pick<Harness, 'app'>,
  body: Record<string, unknown> = {},
): Promise<{ apiKey: string; programId: string; auth: { Authorization: string } }> {
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Shop', currency: 'USD', earning: { pointsPerUnit: 10 }, ...body });
  if (res.status !== 201)
    throw new Error(`program creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    apiKey: res.body.apiKey,
    programId: res.body.program.id,
    auth: { Authorization: `Bearer ${res.body.apiKey}` },
  };
}

/** Create a tier through the API with a program's `auth`; returns its id. */
export async function createTier(
  h: Pick<Harness, 'app'>,
  auth: { Authorization: string },
  body: Record<string, unknown>,
): Promise<string> {
  const res = await request(h.app).post('/v1/tiers').set(auth).send(body);
  if (res.status !== 201) throw new Error(`tier creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

let seq = 0;
/** A unique id for this test run. */
export function uid(prefix: string): string {
  seq += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${seq}`;
}
