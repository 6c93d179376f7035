/**
 * "Sync all profiles" (issue 15, docs/decisions/0052): every existing customer's Tierpass profile
 * properties (tier, points, next tier, what keeps the tier) pushed to Klaviyo with Bulk Import
 * Profiles (`POST /api/profile-bulk-import-jobs`): jobs of at most 10,000 profiles and 5 MB, in
 * customer id order, as a background job with its progress stored. The cursor is the last
 * customer Klaviyo accepted, so a restarted process resumes after it (the tick of
 * `tierpass:klaviyo` resumes syncs whose lease expired). 429 waits Klaviyo's Retry-After; a
 * refused key marks the connection `needs_attention` and the sync waits for a new key; Klaviyo's
 * outages back off; another refusal fails the sync with Klaviyo's answer. Erased customers are
 * skipped (their profile must not come back).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { AppError, notFound } from '../../errors.js';
import { type KlaviyoApi, KlaviyoApiError } from '../../integrations/klaviyo/klaviyo-client.js';
import { SecretOpenError, type SecretSealer } from '../../integrations/secrets/secret-box.js';
import type { ProgramContext } from '../../program-context.js';
import type { KlaviyoQueue, KlaviyoSyncPatch, KlaviyoSyncRecord } from '../../store/klaviyo-port.js';
import { programNow } from '../programs/program-context.js';
import type { KlaviyoCustomers } from './klaviyo-handler.js';
import { profileImportBody } from './klaviyo-profile.js';
import { KEY_CONTEXT } from './klaviyo-service.js';
import type { KlaviyoStore } from './klaviyo-store.js';

/** Klaviyo's limits for one Bulk Import Profiles job (its OpenAPI description). */
export const BULK_MAX_PROFILES = 10_000;
export const BULK_MAX_BYTES = 5 * 1024 * 1024;

export interface KlaviyoSyncDeps {
  /** The program's connection, customers, tiers and sync row; across programs, syncs to resume. */
  store: KlaviyoStore & { klaviyoQueue: Pick<KlaviyoQueue, 'syncsToResume'> };
  /** Each customer as the API shows it (the profile's source, as the per-customer handler). */
  customers: KlaviyoCustomers;
  /** Opens the key; without it the sync waits. */
  secrets?: SecretSealer;
  /** Klaviyo with one private key. */
  api(apiKey: string): KlaviyoApi;
  /** Wall clock: leases, waits. */
  clock: Clock;
  /** Progress and failures, never a key or an email. */
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** How long a worker holds a sync without writing progress (default 2 min). */
  leaseMs?: number;
  /** Profiles per job (default and at most 10,000; tests use a few). */
  jobProfiles?: number;
  /** Bytes per job (default and at most 5 MB less a margin for the envelope). */
  jobBytes?: number;
  /** First backoff after a Klaviyo outage, doubled per attempt up to an hour (default 5 s). */
  retryBaseMs?: number;
  /** How long a sync waits while the key needs attention before looking again (default 1 min). */
  attentionDelayMs?: number;
}

/** The sync as the API shows it. */
export function syncView(s: KlaviyoSyncRecord) {
  const total = Math.max(s.total, s.sent + s.skipped);
  return {
    id: s.id,
    state: s.state,
    total,
    sent: s.sent,
    skipped: s.skipped,
    jobs: s.jobs,
    progress:
      s.state === 'done' ? 1 : total === 0 ? 0 : Math.round(((s.sent + s.skipped) / total) * 1000) / 1000,
    lastError: s.lastError,
    retryAt: s.retryAt?.toISOString() ?? null,
    startedAt: s.startedAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    finishedAt: s.finishedAt?.toISOString() ?? null,
  };
}

export type KlaviyoSyncView = ReturnType<typeof syncView>;

/** The lease was lost to another worker: stop without writing. */
class Stopped extends Error {}

export class KlaviyoSyncService {
  /** Names this process in leases. */
  private readonly worker = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly running = new Set<Promise<unknown>>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly deps: KlaviyoSyncDeps) {}

  private leaseUntil(): Date {
    return new Date(this.deps.clock.now().getTime() + (this.deps.leaseMs ?? 2 * 60_000));
  }

  private later(ms: number): Date {
    return new Date(this.deps.clock.now().getTime() + ms);
  }

  /**
   * Start pushing every customer's profile in the background; while one runs, that one is
   * answered (a replay starts nothing).
   */
  async start(ctx: ProgramContext): Promise<KlaviyoSyncView> {
    const scope = this.deps.store.scoped(ctx.program.id);
    const c = await scope.klaviyo.get();
    if (!c) throw notFound('klaviyo_not_connected', 'No Klaviyo account is connected');
    if (c.state === 'needs_attention') {
      throw new AppError(
        409,
        'klaviyo_needs_attention',
        'Klaviyo refused the stored key: save a working key first',
      );
    }
    const current = await scope.klaviyo.sync();
    if (current?.state === 'running') return syncView(current);
    const total = await this.count(scope);
    const started = await scope.klaviyo.startSync(
      {
        id: `ksync_${randomBytes(8).toString('hex')}`,
        total,
        worker: this.worker,
        leaseUntil: this.leaseUntil(),
      },
      this.deps.clock.now(),
    );
    // Another request started one meanwhile: that one is the answer.
    if (!started) return syncView((await scope.klaviyo.sync()) as KlaviyoSyncRecord);
    this.background(ctx.program.id, started.id);
    return syncView(started);
  }

  /** A first connection: sync when the program already has customers (never fails the connect). */
  async startIfCustomers(ctx: ProgramContext): Promise<void> {
    try {
      const any = await this.deps.store.scoped(ctx.program.id).klaviyo.customerPage('', 1);
      if (any.length > 0) await this.start(ctx);
    } catch (err) {
      this.deps.logger.error({ err, programId: ctx.program.id }, 'Klaviyo profile sync did not start');
    }
  }

  /** The program's latest sync. */
  async status(ctx: ProgramContext): Promise<KlaviyoSyncView> {
    const s = await this.deps.store.scoped(ctx.program.id).klaviyo.sync();
    if (!s) throw notFound('klaviyo_sync_not_found', 'No profile sync has run');
    return syncView(s);
  }

  /** Resume the syncs nobody works on (lease expired, wait over); the scheduler's tick calls this. */
  async resumeOrphaned(limit = 10): Promise<number> {
    const found = await this.deps.store.klaviyoQueue.syncsToResume(this.deps.clock.now(), limit);
    await Promise.all(found.map((f) => this.work(f.programId, f.id)));
    return found.length;
  }

  /** Wait for this process's background syncs (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Stop the timers of waiting syncs (shutdown, tests); the tick resumes them elsewhere. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** This process goes on once a short wait is over (a longer one is the tick's, every 10 s). */
  private resumeAfter(programId: string, id: string, ms: number): void {
    if (ms > 10 * 60_000) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.background(programId, id);
    }, ms + 50);
    t.unref();
    this.timers.add(t);
  }

  private background(programId: string, id: string): void {
    const p = this.work(programId, id).finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Customers of the program (the progress bar's total), counted by pages of ids. */
  private async count(scope: ReturnType<KlaviyoStore['scoped']>): Promise<number> {
    let n = 0;
    let after = '';
    for (;;) {
      const page = await scope.klaviyo.customerPage(after, BULK_MAX_PROFILES);
      n += page.length;
      const last = page.at(-1);
      if (!last || page.length < BULK_MAX_PROFILES) return n;
      after = last.id;
    }
  }

  /**
   * Work sync `id` from its stored cursor to the end, unless another live worker holds it or it
   * waits. Never throws: an unexpected failure (e.g. the database gone) leaves it for another
   * worker once the lease expires.
   */
  async work(programId: string, id: string): Promise<void> {
    const { clock, logger } = this.deps;
    const scope = this.deps.store.scoped(programId);
    let s: KlaviyoSyncRecord | null;
    try {
      s = await scope.klaviyo.claimSync(id, this.worker, this.leaseUntil(), clock.now());
    } catch (err) {
      logger.error({ err, programId, syncId: id }, 'Klaviyo profile sync not resumed; resumed later');
      return;
    }
    if (!s) return;
    const save = async (patch: KlaviyoSyncPatch) => {
      const next = await scope.klaviyo.saveSync(id, this.worker, patch, clock.now());
      if (!next) throw new Stopped('the lease was taken over');
      s = next;
    };
    const wait = (ms: number, lastError: string | null, extra: Partial<KlaviyoSyncPatch> = {}) =>
      save({ retryAt: this.later(ms), lastError, leaseUntil: null, ...extra });
    try {
      for (;;) {
        const current: KlaviyoSyncRecord = s;
        const c = await scope.klaviyo.get();
        if (!c) {
          await save({
            state: 'failed',
            lastError: 'Klaviyo was disconnected',
            finishedAt: clock.now(),
            leaseUntil: null,
          });
          return;
        }
        const attention = this.deps.attentionDelayMs ?? 60_000;
        if (c.state === 'needs_attention' || !this.deps.secrets) {
          await wait(attention, 'Waiting for a working Klaviyo key');
          return;
        }
        let api: KlaviyoApi;
        try {
          api = this.deps.api(this.deps.secrets.open(c.apiKeySealed, KEY_CONTEXT(programId)));
        } catch (err) {
          if (!(err instanceof SecretOpenError)) throw err;
          await scope.klaviyo.setState(
            'needs_attention',
            `The stored key cannot be opened (${err.message})`,
            clock.now(),
          );
          await wait(attention, 'Waiting for a working Klaviyo key');
          return;
        }
        const job = await this.nextJob(programId, current);
        if (job === null) {
          await save({
            state: 'done',
            lastError: null,
            retryAt: null,
            finishedAt: clock.now(),
            leaseUntil: null,
          });
          logger.info(
            { programId, syncId: id, sent: current.sent, jobs: current.jobs },
            'Klaviyo profile sync done',
          );
          return;
        }
        if (job.profiles.length > 0) {
          try {
            await api.bulkImportProfiles({
              data: { type: 'profile-bulk-import-job', attributes: { profiles: { data: job.profiles } } },
            });
          } catch (err) {
            if (!(err instanceof KlaviyoApiError)) throw err;
            if (err.status === 429) {
              const ms = Math.max(err.retryAfterMs ?? 60_000, 1000);
              logger.warn({ programId, syncId: id, retryAfterMs: ms }, 'Klaviyo throttled the profile sync');
              await wait(ms, null);
              this.resumeAfter(programId, id, ms);
              return;
            }
            if (err.keyRefused) {
              logger.error({ programId, status: err.status, error: err.message }, 'Klaviyo refused the key');
              await scope.klaviyo.setState('needs_attention', err.message, clock.now());
              await wait(attention, err.message);
              return;
            }
            if (err.retryable) {
              const attempts = current.attempts + 1;
              const base = this.deps.retryBaseMs ?? 5000;
              const ms = Math.min(base * 2 ** (attempts - 1), 3_600_000);
              await wait(ms, err.message, { attempts });
              this.resumeAfter(programId, id, ms);
              return;
            }
            logger.error(
              { programId, syncId: id, error: err.message },
              'Klaviyo refused a profile import job',
            );
            await save({
              state: 'failed',
              lastError: err.message,
              finishedAt: clock.now(),
              leaseUntil: null,
            });
            return;
          }
        }
        await save({
          cursor: job.cursor,
          sent: current.sent + job.profiles.length,
          skipped: current.skipped + job.skipped,
          jobs: current.jobs + (job.profiles.length > 0 ? 1 : 0),
          attempts: 0,
          lastError: null,
          retryAt: null,
          leaseUntil: this.leaseUntil(),
        });
      }
    } catch (err) {
      if (err instanceof Stopped) return;
      logger.error({ err, programId, syncId: id }, 'Klaviyo profile sync stopped; resumed later');
    }
  }

  /**
   * The next job after the cursor: profiles up to the count and size limits, the cursor it moves
   * to, and the erased customers it passed; null when no customer is left.
   */
  private async nextJob(
    programId: string,
    s: KlaviyoSyncRecord,
  ): Promise<{ profiles: unknown[]; cursor: string; skipped: number } | null> {
    const scope = this.deps.store.scoped(programId);
    const maxProfiles = Math.min(this.deps.jobProfiles ?? BULK_MAX_PROFILES, BULK_MAX_PROFILES);
    // The envelope around the profiles is under 100 bytes; a margin keeps well inside 5 MB.
    const maxBytes = Math.min(this.deps.jobBytes ?? BULK_MAX_BYTES - 4096, BULK_MAX_BYTES - 4096);
    const page = await scope.klaviyo.customerPage(s.cursor ?? '', maxProfiles);
    if (page.length === 0) return null;
    const program = await scope.program.get();
    const ctx: ProgramContext = { program, now: programNow(program, this.deps.clock) };
    const records = new Map(
      (await scope.customers.getMany(page.filter((p) => !p.redacted).map((p) => p.id))).map((r) => [r.id, r]),
    );
    const titles = await scope.tiers.titles();
    const profiles: unknown[] = [];
    let bytes = 0;
    let cursor = s.cursor ?? '';
    let skipped = 0;
    for (const entry of page) {
      const record = records.get(entry.id);
      if (!record) {
        // Erased (or deleted meanwhile): nothing is sent that would bring the profile back.
        skipped += 1;
        cursor = entry.id;
        continue;
      }
      const body = profileImportBody(await this.deps.customers.view(ctx, record), titles) as {
        data: unknown;
      };
      const size = Buffer.byteLength(JSON.stringify(body.data)) + 1;
      if (profiles.length > 0 && bytes + size > maxBytes) break;
      profiles.push(body.data);
      bytes += size;
      cursor = entry.id;
    }
    return { profiles, cursor, skipped };
  }
}
