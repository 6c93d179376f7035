/**
 * Delivers `apple_pass_changed` outbox rows (SPEC 5): records the pass's new update tag, then
 * sends an empty push to each registered device. At most one push per pass per minute; tokens
 * APNs calls gone are unregistered; 429 / 5xx / connection trouble retry with backoff.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { PushSender } from '../../integrations/apple/push-sender.js';
import type { OutboxItem } from '../../store/outbox-port.js';
import type { Store } from '../../store/port.js';
import { programNow } from '../programs/program-context.js';
import type { PassService } from './pass-service.js';

export interface PassPushDispatcherDeps {
  /** Outbox and the scoped pass data. */
  store: Store;
  /** Refreshes the pass's update tag before the push. */
  passes: PassService;
  /** APNs. */
  sender: PushSender;
  /** APNs topic: the pass type id. */
  topic: string;
  /** Program time for the pass build. */
  clock: Clock;
  /** Delivery errors. */
  logger: Pick<Logger, 'warn' | 'error'>;
  /** Pushes per pass at most once in this window (default one minute). */
  coalesceMs?: number;
}

const BATCH = 100;
const LEASE_MS = 2 * 60_000;
const MAX_ATTEMPTS = 12;
/** 1 s, 2 s, 4 s … capped at an hour. */
const backoffMs = (attempts: number) => Math.min(1000 * 2 ** attempts, 3_600_000);

/** What one dispatch did. */
export interface DispatchReport {
  /** Passes pushed. */
  pushed: number;
  /** Passes held back by coalescing or retried later. */
  deferred: number;
  /** Registrations removed because APNs called their token gone. */
  unregistered: number;
}

export class PassPushDispatcher {
  private running: Promise<DispatchReport> | undefined;
  /** A kick arrived while a pass was running: look for due rows once more before ending. */
  private again = false;

  constructor(private readonly deps: PassPushDispatcherDeps) {}

  /** Deliver everything due now; concurrent calls in one process share one pass. */
  dispatch(): Promise<DispatchReport> {
    if (this.running) this.again = true;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<DispatchReport> {
    const report: DispatchReport = { pushed: 0, deferred: 0, unregistered: 0 };
    // Rows handled here are no longer due (done, postponed or leased), so this ends.
    for (;;) {
      const items = await this.deps.store.outbox.claim('apple_pass_changed', BATCH, LEASE_MS);
      if (items.length === 0) {
        if (!this.again) return report;
        this.again = false;
        continue;
      }
      const byPass = new Map<string, OutboxItem[]>();
      for (const item of items) {
        const key = `${item.programId}\0${item.customerId}`;
        byPass.set(key, [...(byPass.get(key) ?? []), item]);
      }
      for (const group of byPass.values()) {
        try {
          await this.deliver(group, report);
        } catch (err) {
          report.deferred += 1;
          await this.retry(group, err instanceof Error ? err.message : String(err));
        }
      }
    }
  }

  /**
   * Deliver soon without waiting (called after a commit that queued rows). Errors are logged;
   * the scheduled job picks up anything left.
   */
  kick(): void {
    this.dispatch().catch((err: unknown) => this.deps.logger.error({ err }, 'pass push dispatch failed'));
  }

  private async deliver(group: OutboxItem[], report: DispatchReport): Promise<void> {
    const { store, passes, sender } = this.deps;
    const { programId, customerId } = group[0] as OutboxItem;
    const ids = group.map((i) => i.id);
    const scope = store.scoped(programId);
    const pass = await scope.passes.get(customerId);
    const devices = pass ? await scope.passRegistrations.devicesOfSerial(pass.serial) : [];
    if (devices.length === 0) return store.outbox.done(ids);
    const coalesceMs = this.deps.coalesceMs ?? 60_000;
    const age = await store.outbox.lastPushAgeMs(programId, customerId);
    if (age !== null && age < coalesceMs) {
      report.deferred += 1;
      return store.outbox.retry(ids, coalesceMs - age);
    }
    // Record the new tag first: the device's "serials updated since" then finds it at once.
    const program = await scope.program.get();
    await passes.refreshTag({ program, scope, now: programNow(program, this.deps.clock) }, customerId);
    const tokens = [...new Set(devices.map((d) => d.pushToken))];
    const outcome = await sender.sendEmpty(this.deps.topic, tokens);
    for (const token of outcome.invalid) {
      report.unregistered += await scope.passRegistrations.removePushToken(token);
    }
    for (const r of outcome.rejected) {
      this.deps.logger.warn({ programId, customerId, reason: r.reason }, 'APNs refused a pass push');
    }
    if (outcome.retry.length > 0) {
      report.deferred += 1;
      return this.retry(group, `APNs asked to retry ${outcome.retry.length} of ${tokens.length} tokens`);
    }
    await store.outbox.recordPush(programId, customerId);
    report.pushed += 1;
    await store.outbox.done(ids);
  }

  private async retry(group: OutboxItem[], error: string): Promise<void> {
    const ids = group.map((i) => i.id);
    const attempts = Math.max(...group.map((i) => i.attempts)) + 1;
    if (attempts >= MAX_ATTEMPTS) {
      this.deps.logger.error({ ids, error, attempts }, 'pass push abandoned');
      return this.deps.store.outbox.done(ids);
    }
    this.deps.logger.warn({ ids, error, attempts }, 'pass push will be retried');
    await this.deps.store.outbox.retry(ids, backoffMs(attempts), error);
  }
}
