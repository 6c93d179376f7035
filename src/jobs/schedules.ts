/**
 * Every scheduled job of Tierpass, in one place. Handlers are thin: they call the same
 * service methods the HTTP API and the test clock call.
 *
 * - `tierpass:tick` (every minute, one instance at a time): for each live program, run
 *   what fell due — cycle boundaries, daily continuous syncs (rolling windows expire,
 *   inactivity drops), and debounced resyncs (tier order changed 5 minutes ago, tiers
 *   switched back on, a tier disabled or deleted).
 * - `tierpass:program-due` (on demand): the same for one program right away, kicked
 *   after a change that asks for an immediate resync.
 * - `tierpass:pass-pushes` (every 10 s, one instance at a time): deliver due outbox rows as
 *   Apple Wallet pushes (the outbox worker's ApplePushHandler).
 * - `tierpass:google-wallet` (every 10 s, one instance at a time): deliver due outbox rows as
 *   Google Wallet object updates and tier-change messages (GoogleObjectHandler).
 * - `tierpass:webhooks` (every 10 s, one instance at a time): deliver due webhook deliveries and
 *   their retries (WebhookDeliveryHandler); commits that queue deliveries also kick it at once.
 * - `tierpass:klaviyo` (every 10 s, one instance at a time): send due Klaviyo events and profile
 *   updates and their retries (KlaviyoHandler, docs/decisions/0044), then resume profile syncs
 *   nobody works on (after a restart or once Klaviyo's Retry-After passed; 0052).
 * - `tierpass:shopify-segments` (every minute, one instance at a time): sync the Shopify segments
 *   of each live connected program whose last sync is older than SHOPIFY_SEGMENTS_EVERY_MINUTES
 *   (ShopifySegments.syncDue, decision 0048).
 * - `tierpass:shopify-pending` (every 5 minutes, one instance at a time): apply the Shopify
 *   deliveries stored but not applied and the privacy requests still `recorded`, in every program
 *   with a Shopify connection (ShopifyPendingSweep → ShopifyService.processPending, decision 0051).
 */
import type { Agenda } from 'agenda';
import type { Clock } from '../clock.js';
import type { SchedulingService } from '../features/scheduling/scheduling-service.js';
import type { Store } from '../store/port.js';

export const JOB = {
  tick: 'tierpass:tick',
  programDue: 'tierpass:program-due',
  passPushes: 'tierpass:pass-pushes',
  googleWallet: 'tierpass:google-wallet',
  webhooks: 'tierpass:webhooks',
  shopifyWriteBack: 'tierpass:shopify-write-back',
  klaviyo: 'tierpass:klaviyo',
  shopifySegments: 'tierpass:shopify-segments',
  shopifyPending: 'tierpass:shopify-pending',
} as const;

/** How often due pass pushes are looked for. */
export const PASS_PUSH_EVERY_MS = 10_000;
/** How often due Google Wallet updates are looked for. */
export const GOOGLE_WALLET_EVERY_MS = 10_000;
/** How often due Shopify write-backs (retries, mostly) are looked for. */
export const SHOPIFY_WRITE_BACK_EVERY_MS = 10_000;
/** How often due webhook deliveries (retries, mostly) are looked for. */
export const WEBHOOKS_EVERY_MS = 10_000;
/** How often due Klaviyo rows (retries after Retry-After or backoff, mostly) are looked for. */
export const KLAVIYO_EVERY_MS = 10_000;
/** How often programs whose Shopify segment sync fell due are looked for. */
export const SHOPIFY_SEGMENTS_CHECK_MS = 60_000;
/** How often stranded Shopify deliveries are looked for (Shopify itself redelivers for 48 hours). */
export const SHOPIFY_PENDING_EVERY_MS = 5 * 60_000;

export interface JobDeps {
  store: Store;
  scheduling: SchedulingService;
  clock: Clock;
  /** Outbox delivery of pass pushes; absent when APNs is not configured. */
  passPushes?: { dispatch(): Promise<unknown> };
  /** Outbox delivery of Google Wallet object updates; absent when Google Wallet is off. */
  googleUpdates?: { dispatch(): Promise<unknown> };
  /** Webhook deliveries. */
  webhooks?: { dispatch(): Promise<unknown> };
  /** Shopify write-backs of tier tags and metafields. */
  shopifyWriteBacks?: { dispatch(): Promise<unknown> };
  /** Klaviyo events and profile updates. */
  klaviyo?: { dispatch(): Promise<unknown> };
  /** Klaviyo profile syncs nobody works on (restart, Retry-After over), resumed from their cursor (0052). */
  klaviyoSync?: { resumeOrphaned(): Promise<unknown> };
  /** Shopify backfills whose worker stopped, resumed from their cursor (docs/decisions/0046). */
  shopifyBackfill?: { resumeOrphaned(): Promise<unknown> };
  /** Shopify segment syncs that fell due (ShopifySegments). */
  shopifySegments?: { syncDue(): Promise<unknown> };
  /** Shopify deliveries stranded between storage and effect (ShopifyPendingSweep). */
  shopifyPending?: { sweep(): Promise<unknown> };
}

/** Define every job handler. */
export function defineJobs(agenda: Agenda, deps: JobDeps): void {
  agenda.define(
    JOB.webhooks,
    async () => {
      await deps.webhooks?.dispatch();
    },
    { concurrency: 1 },
  );
  agenda.define(
    JOB.tick,
    async () => {
      await deps.scheduling.tick();
      await deps.shopifyBackfill?.resumeOrphaned();
    },
    { concurrency: 1 },
  );
  agenda.define<{ programId: string }>(JOB.programDue, async (job) => {
    const program = await deps.store.scoped(job.attrs.data.programId).program.get();
    if (program.mode !== 'live') return;
    const now = deps.clock.now();
    // The resync that was asked for first (it is due now), then anything else that fell due.
    await deps.scheduling.runPendingResync(program.id, now);
    await deps.scheduling.runDue(program, now);
  });
  agenda.define(
    JOB.passPushes,
    async () => {
      await deps.passPushes?.dispatch();
    },
    { concurrency: 1 },
  );
  agenda.define(
    JOB.shopifyWriteBack,
    async () => {
      await deps.shopifyWriteBacks?.dispatch();
    },
    { concurrency: 1 },
  );
  agenda.define(
    JOB.klaviyo,
    async () => {
      await deps.klaviyo?.dispatch();
      await deps.klaviyoSync?.resumeOrphaned();
    },
    { concurrency: 1 },
  );
  agenda.define(
    JOB.shopifySegments,
    async () => {
      await deps.shopifySegments?.syncDue();
    },
    { concurrency: 1 },
  );
  agenda.define(
    JOB.shopifyPending,
    async () => {
      await deps.shopifyPending?.sweep();
    },
    { concurrency: 1 },
  );
  agenda.define(
    JOB.googleWallet,
    async () => {
      await deps.googleUpdates?.dispatch();
    },
    { concurrency: 1 },
  );
}

/** Register the recurring schedules (idempotent: `every` keeps one job per name). */
export async function registerSchedules(agenda: Agenda, tickEveryMs: number): Promise<void> {
  await agenda.every(tickEveryMs, JOB.tick);
  await agenda.every(PASS_PUSH_EVERY_MS, JOB.passPushes);
  await agenda.every(GOOGLE_WALLET_EVERY_MS, JOB.googleWallet);
  await agenda.every(WEBHOOKS_EVERY_MS, JOB.webhooks);
  await agenda.every(SHOPIFY_WRITE_BACK_EVERY_MS, JOB.shopifyWriteBack);
  await agenda.every(KLAVIYO_EVERY_MS, JOB.klaviyo);
  await agenda.every(SHOPIFY_SEGMENTS_CHECK_MS, JOB.shopifySegments);
  await agenda.every(SHOPIFY_PENDING_EVERY_MS, JOB.shopifyPending);
}
