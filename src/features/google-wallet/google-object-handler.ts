/**
 * The outbox worker's handler of `google_object_changed` rows (SPEC 5): patches the customer's
 * loyalty object (and its class when the design changed), adding a message when the shown tier
 * changed. One update per customer however many changes queued it; `concurrency` objects at
 * once. Retryable failures (429, 5xx, network) come back with exponential backoff; permanent
 * ones (other 4xx) are logged, recorded on the object and not retried.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { WalletApiError } from '../../integrations/google/wallet-client.js';
import type { OutboxItem } from '../../store/outbox-port.js';
import type { OutboxHandler, OutboxRun } from '../outbox/outbox-handler.js';
import type { RetryPolicy } from '../outbox/retry-policy.js';
import { programNow } from '../programs/program-context.js';
import type { GoogleWalletService } from './google-wallet-service.js';
import type { GoogleWalletOutbox, GoogleWalletStore } from './google-wallet-store.js';

export interface GoogleObjectHandlerDeps {
  /** The outbox rows of its kind, and each program's objects. */
  store: GoogleWalletStore & GoogleWalletOutbox;
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

type Run = OutboxRun<GoogleDispatchReport, unknown>;

export class GoogleObjectHandler implements OutboxHandler<OutboxItem, GoogleDispatchReport> {
  readonly label = 'Google Wallet';
  readonly batchSize = BATCH;
  readonly retry: RetryPolicy;

  constructor(private readonly deps: GoogleObjectHandlerDeps) {
    // 1 s … 1 h: about 3 hours of retries before a change is abandoned (and recorded).
    this.retry = { baseMs: deps.retryBaseMs ?? 1000, maxMs: 3_600_000, maxAttempts: 15 };
  }

  /** The Wallet API's non-retryable answers (4xx but 429) are permanent. */
  classify(err: unknown): 'retry' | 'permanent' {
    return err instanceof WalletApiError && !err.retryable ? 'permanent' : 'retry';
  }

  newReport(): GoogleDispatchReport {
    return { synced: 0, notified: 0, texts: 0, retried: 0, failed: 0 };
  }

  claim(limit: number): Promise<OutboxItem[]> {
    return this.deps.store.outbox.claim('google_object_changed', limit, LEASE_MS);
  }

  onQueued(listener: () => void): void {
    this.deps.store.outbox.onQueued(listener);
  }

  async handle(items: OutboxItem[], run: Run): Promise<void> {
    // One update per customer however many changes queued it.
    const byObject = new Map<string, OutboxItem[]>();
    for (const item of items) {
      const key = `${item.programId}\0${item.customerId}`;
      byObject.set(key, [...(byObject.get(key) ?? []), item]);
    }
    const groups = [...byObject.values()];
    const workers = Array.from({ length: Math.min(this.deps.concurrency ?? 4, groups.length) }, async () => {
      for (let group = groups.shift(); group; group = groups.shift()) await this.deliver(group, run);
    });
    await Promise.all(workers);
  }

  private async deliver(group: OutboxItem[], run: Run): Promise<void> {
    const { store, google, clock } = this.deps;
    const { report } = run;
    const { programId, customerId } = group[0] as OutboxItem;
    const ids = group.map((i) => i.id);
    try {
      const scope = store.scoped(programId);
      const row = await scope.googleWallet.object(customerId);
      if (!row) return await store.outbox.done(ids);
      const program = await scope.program.get();
      const result = await google.sync({ program, now: programNow(program, clock) }, row);
      report.synced += 1;
      if (result.message === 'TEXT_AND_NOTIFY') report.notified += 1;
      if (result.message === 'TEXT') report.texts += 1;
      await store.outbox.done(ids);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const attempts = Math.max(...group.map((i) => i.attempts)) + 1;
      const decision = run.decide(err, attempts);
      if (!decision.retry) {
        report.failed += 1;
        this.deps.logger.error(
          { programId, customerId, error: message, attempts },
          decision.reason === 'permanent'
            ? 'Google Wallet refused an object update'
            : 'Google Wallet object update abandoned',
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
      await store.outbox.retry(ids, decision.delayMs, message);
    }
  }
}
