/**
 * Delivers `google_object_changed` outbox rows (SPEC 5): patches the customer's loyalty object
 * (and its class when the design changed), adding a message when the shown tier changed.
 * Retryable failures (429, 5xx, network) come back with exponential backoff; permanent ones
 * (other 4xx) are logged, recorded on the object and not retried.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { WalletApiError } from '../../integrations/google/wallet-client.js';
import type { OutboxItem } from '../../store/outbox-port.js';
import type { Store } from '../../store/port.js';
import { programNow } from '../programs/program-context.js';
import type { GoogleWalletService } from './google-wallet-service.js';

export interface GoogleWalletDispatcherDeps {
  store: Store;
  google: GoogleWalletService;
  /** Program time of the state read; wall time of recorded errors. */
  clock: Clock;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** First retry delay, doubled per attempt up to an hour (default 1 s; tests shorten it). */
  retryBaseMs?: number;
  /** Objects updated at once (default 4). */
  concurrency?: number;
}

const BATCH = 100;
const LEASE_MS = 2 * 60_000;
/** 1 s … 1 h: about 3 hours of retries before a change is abandoned (and recorded). */
export const GOOGLE_MAX_ATTEMPTS = 15;

/** What one dispatch did. */
export interface GoogleDispatchReport {
  /** Objects inserted or patched (or already current). */
  synced: number;
  /** Messages added: notifying and plain. */
  notified: number;
  texts: number;
  /** Groups postponed after a retryable failure. */
  retried: number;
  /** Groups given up: permanent failure or too many attempts. */
  failed: number;
}

export class GoogleWalletDispatcher {
  private running: Promise<GoogleDispatchReport> | undefined;
  private again = false;

  constructor(private readonly deps: GoogleWalletDispatcherDeps) {}

  /** Deliver everything due now; concurrent calls in one process share one pass. */
  dispatch(): Promise<GoogleDispatchReport> {
    if (this.running) this.again = true;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Deliver soon without waiting (after a commit that queued rows); errors are logged. */
  kick(): void {
    this.dispatch().catch((err: unknown) => this.deps.logger.error({ err }, 'Google Wallet dispatch failed'));
  }

  private async drain(): Promise<GoogleDispatchReport> {
    const report: GoogleDispatchReport = { synced: 0, notified: 0, texts: 0, retried: 0, failed: 0 };
    for (;;) {
      const items = await this.deps.store.outbox.claim('google_object_changed', BATCH, LEASE_MS);
      if (items.length === 0) {
        if (!this.again) return report;
        this.again = false;
        continue;
      }
      // One update per customer however many changes queued it.
      const byObject = new Map<string, OutboxItem[]>();
      for (const item of items) {
        const key = `${item.programId}\0${item.customerId}`;
        byObject.set(key, [...(byObject.get(key) ?? []), item]);
      }
      const groups = [...byObject.values()];
      const workers = Array.from(
        { length: Math.min(this.deps.concurrency ?? 4, groups.length) },
        async () => {
          for (let group = groups.shift(); group; group = groups.shift()) await this.deliver(group, report);
        },
      );
      await Promise.all(workers);
    }
  }

  private async deliver(group: OutboxItem[], report: GoogleDispatchReport): Promise<void> {
    const { store, google, clock } = this.deps;
    const { programId, customerId } = group[0] as OutboxItem;
    const ids = group.map((i) => i.id);
    try {
      const scope = store.scoped(programId);
      const row = await scope.googleWallet.object(customerId);
      if (!row) return await store.outbox.done(ids);
      const program = await scope.program.get();
      const result = await google.sync({ program, scope, now: programNow(program, clock) }, row);
      report.synced += 1;
      if (result.message === 'TEXT_AND_NOTIFY') report.notified += 1;
      if (result.message === 'TEXT') report.texts += 1;
      await store.outbox.done(ids);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const attempts = Math.max(...group.map((i) => i.attempts)) + 1;
      const permanent = err instanceof WalletApiError && !err.retryable;
      if (permanent || attempts >= GOOGLE_MAX_ATTEMPTS) {
        report.failed += 1;
        this.deps.logger.error(
          { programId, customerId, error: message, attempts },
          permanent ? 'Google Wallet refused an object update' : 'Google Wallet object update abandoned',
        );
        await store.scoped(programId).googleWallet.recordError(customerId, message, clock.now());
        await store.outbox.retry(ids, 0, message);
        await store.outbox.done(ids);
        return;
      }
      report.retried += 1;
      this.deps.logger.warn(
        { programId, customerId, error: message, attempts },
        'Google Wallet update will be retried',
      );
      const base = this.deps.retryBaseMs ?? 1000;
      await store.outbox.retry(ids, Math.min(base * 2 ** (attempts - 1), 3_600_000), message);
    }
  }
}
