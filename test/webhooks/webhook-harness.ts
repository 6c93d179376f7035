/**
 * The real app on a PostgreSQL database of its own (deliveries are claimed across programs, so
 * other test files' dispatchers must not take these), with loopback receivers allowed.
 */
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import type { WebhookSecretSealer } from '../../src/features/webhooks/webhook-secrets.js';
import type { AddressPolicy } from '../../src/integrations/webhooks/address-policy.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { ADMIN_TOKEN } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';

import { type Receiver, startReceiver } from './receiver.js';

export type Auth = { Authorization: string };

export interface WebhookHarness {
  store: Store;
  app: ReturnType<typeof buildApp>['app'];
  services: ReturnType<typeof buildApp>['services'];
  /** The PostgreSQL database (undefined when embedded), for tests that look at rows directly. */
  databaseUrl: string | undefined;
  /** Another app on the same database (e.g. a stricter address policy, another keyring). */
  another(opts: { policy: AddressPolicy; secrets?: WebhookSecretSealer }): ReturnType<typeof buildApp>;
  close(): Promise<void>;
}

export const LOOPBACK_ONLY: AddressPolicy = { allowLoopback: true, allowPrivate: false };

export async function startWebhookHarness(
  opts: { clock?: Clock; dispatchOnCommit?: boolean; embedded?: boolean; secrets?: WebhookSecretSealer } = {},
): Promise<WebhookHarness> {
  // Embedded: PGlite in memory (the default store of a fresh install).
  const db = opts.embedded ? { url: undefined, drop: async () => {} } : await createTempDatabase();
  const store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  const clock = opts.clock ?? { now: () => new Date() };
  const build = (policy: AddressPolicy, dispatchOnCommit = false, secrets = opts.secrets) =>
    buildApp({
      store,
      clock,
      logger: pino({ level: 'silent' }),
      adminToken: ADMIN_TOKEN,
      secrets,
      webhooks: { policy, dispatchOnCommit, timeoutMs: 2000 },
    });
  const built = build(LOOPBACK_ONLY, opts.dispatchOnCommit);
  const others: ReturnType<typeof buildApp>[] = [];
  return {
    store,
    app: built.app,
    services: built.services,
    databaseUrl: db.url,
    another({ policy, secrets }) {
      const other = build(policy, false, secrets);
      others.push(other);
      return other;
    },
    async close() {
      built.services.webhookSender.close();
      for (const o of others) o.services.webhookSender.close();
      await store.close();
      await db.drop();
    },
  };
}

/** Create a program through the admin API. */
export async function createProgram(
  h: Pick<WebhookHarness, 'app'>,
  body: Record<string, unknown> = {},
): Promise<{ programId: string; auth: Auth }> {
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Shop', currency: 'USD', earning: { pointsPerUnit: 10 }, ...body });
  if (res.status !== 201)
    throw new Error(`program creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { programId: res.body.program.id, auth: { Authorization: `Bearer ${res.body.apiKey}` } };
}

/** Bronze (entry), Silver at 1,000 lifetime points, Gold at 3,000 (10 points per dollar). */
export async function threeTiers(h: Pick<WebhookHarness, 'app'>, auth: Auth, goldTag?: string) {
  const post = async (body: Record<string, unknown>) => {
    const res = await request(h.app).post('/v1/tiers').set(auth).send(body);
    if (res.status !== 201) throw new Error(`tier creation failed: ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const bronze = await post({ title: 'Bronze' });
  const silver = await post({
    title: 'Silver',
    qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }],
  });
  const gold = await post({
    title: 'Gold',
    qualifications: [{ type: 'lifetimePoints', minPoints: 3000 }],
    ...(goldTag ? { benefits: { tag: goldTag } } : {}),
  });
  return { bronze, silver, gold };
}

/** Subscribe and return the subscription with its secret. */
export async function subscribe(
  h: Pick<WebhookHarness, 'app'>,
  auth: Auth,
  body: Record<string, unknown>,
): Promise<{ id: string; secret: string } & Record<string, unknown>> {
  const res = await request(h.app).post('/v1/webhooks').set(auth).send(body);
  if (res.status !== 201) throw new Error(`subscribe failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export const ALL_EVENTS = [
  'tier.upgraded',
  'tier.downgraded',
  'customer.tags_changed',
  'tier.downgrade_warning',
];

/** A harness and a local receiver, as most webhook test files start them (beforeAll). */
export async function startWithReceiver(
  opts?: Parameters<typeof startWebhookHarness>[0],
): Promise<{ h: WebhookHarness; receiver: Receiver }> {
  return { h: await startWebhookHarness(opts), receiver: await startReceiver() };
}

/** Close what `startWithReceiver` started (afterAll); either may be missing after a failed start. */
export async function closeWithReceiver(h?: WebhookHarness, receiver?: Receiver): Promise<void> {
  await receiver?.close();
  await h?.close();
}

/** Advance a test program's clock (POST /v1/test-clock/advance); returns the work it ran. */
export async function advanceClock(
  h: Pick<WebhookHarness, 'app'>,
  auth: Auth,
  to: string,
): Promise<{ kind: string; at: string }[]> {
  const res = await request(h.app).post('/v1/test-clock/advance').set(auth).send({ to });
  expect(res.status).toBe(200);
  return res.body.ran;
}
