/**
 * Delivers due webhook deliveries (SPEC 5): claims a batch (one delivery per customer and
 * subscription at most, so sending the whole batch at once keeps every customer's order), signs
 * and POSTs each, and records the attempts set-based. Several claim loops run at once; the
 * store's lease and SKIP LOCKED keep them (and other instances) off each other's rows.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { WebhookSender } from '../../integrations/webhooks/http-webhook-sender.js';
import type { Store } from '../../store/port.js';
import type { ClaimedDelivery, DeliveryOutcome } from '../../store/webhook-port.js';
import { deliveryBody, SIGNATURE_HEADER, signatureHeader } from './webhook-bodies.js';
import { attemptOutcome } from './webhook-retry.js';

export interface WebhookDispatcherDeps {
  store: Pick<Store, 'webhookDeliveries'>;
  sender: WebhookSender;
  /** The service's clock: live programs' attempt times and every signature's `t`. */
  clock: Clock;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** Deliveries claimed at a time per loop (default 100). */
  batchSize?: number;
  /** Claim loops running at once (default 4). */
  loops?: number;
  /** How long a claim holds its rows (default 2 min; longer than any request's timeout). */
  leaseMs?: number;
}

/** What one dispatch did. */
export interface WebhookDispatchReport {
  attempted: number;
  delivered: number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class WebhookDispatcher {
  /** Running dispatches by scope ('*' or a program id). */
  private readonly running = new Map<string, Promise<WebhookDispatchReport>>();
  /** A dispatch was asked for while one of the same scope ran: look again before ending. */
  private readonly again = new Set<string>();

  constructor(private readonly deps: WebhookDispatcherDeps) {}

  /**
   * Deliver everything due now (for a test program: due on its clock), all programs or only
   * `programId`'s. Concurrent calls of one scope in this process share one pass.
   */
  dispatch(programId?: string): Promise<WebhookDispatchReport> {
    const key = programId ?? '*';
    const current = this.running.get(key);
    if (current) {
      this.again.add(key);
      return current;
    }
    const run = this.drain(key, programId).finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  /** Deliver soon without waiting (after a commit that queued deliveries); errors are logged. */
  kick(): void {
    this.dispatch().catch((err: unknown) => this.deps.logger.error({ err }, 'webhook dispatch failed'));
  }

  private async drain(key: string, programId: string | undefined): Promise<WebhookDispatchReport> {
    const report: WebhookDispatchReport = { attempted: 0, delivered: 0 };
    const limit = this.deps.batchSize ?? 100;
    const claim = () =>
      this.deps.store.webhookDeliveries.claim({
        limit,
        leaseMs: this.deps.leaseMs ?? 120_000,
        now: this.deps.clock.now(),
        programId,
      });
    const loop = async () => {
      // Claimed rows end delivered, failed or due later (or leased), so each loop ends.
      for (let batch = await claim(); batch.length > 0; batch = await claim()) {
        await this.deliverBatch(batch, report);
      }
    };
    do {
      this.again.delete(key);
      // A trickle (a kick after one commit) takes one claim; a backlog gets parallel loops.
      const first = await claim();
      if (first.length === 0) continue;
      const rest = first.length < limit ? [] : Array.from({ length: (this.deps.loops ?? 4) - 1 }, loop);
      await Promise.all([this.deliverBatch(first, report).then(loop), ...rest]);
    } while (this.again.has(key));
    return report;
  }

  private async deliverBatch(batch: ClaimedDelivery[], report: WebhookDispatchReport): Promise<void> {
    const outcomes = await Promise.all(batch.map((d) => this.attempt(d)));
    await this.deps.store.webhookDeliveries.complete(outcomes);
    report.attempted += outcomes.length;
    const failed = outcomes.filter((o) => o.result !== 'delivered');
    report.delivered += outcomes.length - failed.length;
    if (failed.length > 0) {
      const first = failed[0];
      this.deps.logger.warn(
        {
          failed: failed.length,
          of: outcomes.length,
          example: { url: first?.delivery.url, error: first?.error },
        },
        'webhook deliveries failed',
      );
    }
    for (const o of outcomes) {
      if (o.disable) {
        this.deps.logger.warn(
          { programId: o.delivery.programId, subscriptionId: o.delivery.subscriptionId, reason: o.disable },
          'webhook subscription disabled',
        );
      }
    }
  }

  private async attempt(d: ClaimedDelivery): Promise<DeliveryOutcome> {
    const now = this.deps.clock.now();
    // A test program's delivery happens at the instant it fell due on its clock.
    const at = d.programMode === 'test' ? d.dueAt : now;
    const body = deliveryBody(d);
    const t = Math.floor(now.getTime() / 1000);
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      ({ status } = await this.deps.sender.post(d.url, body, {
        [SIGNATURE_HEADER]: signatureHeader(d.secret, body, t),
        'Tierpass-Event-Id': d.event.id,
        'Tierpass-Event-Type': d.event.type,
        'Tierpass-Delivery-Id': d.id,
      }));
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      error = message(err);
    }
    const durationMs = performance.now() - started;
    return { delivery: d, at, status, error, durationMs, ...attemptOutcome(d, at, status, error) };
  }
}
