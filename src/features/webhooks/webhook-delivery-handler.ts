/**
 * The outbox worker's handler of webhook deliveries (SPEC 5): claims a batch (one delivery per
 * customer and subscription at most, so sending the whole batch at once keeps every customer's
 * order), signs and POSTs each, and records the attempts set-based. Several claim loops run at
 * once; the store's lease and SKIP LOCKED keep them (and other instances) off each other's rows.
 *
 * Retries (docs/decisions/0013-webhooks.md): exponential backoff (30 s, doubling, at most 6 h
 * apart) until three days after the delivery's first attempt, then given up; a subscription
 * failing without a single success for three days, or whose receiver answers 410 Gone, is
 * disabled with a reason the merchant sees. A ping (test event) is attempted once: the merchant
 * who sent it is watching (docs/decisions/0032).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { SecretOpenError } from '../../integrations/secrets/secret-box.js';
import type { WebhookSender } from '../../integrations/webhooks/http-webhook-sender.js';
import type { ClaimedDelivery, DeliveryOutcome } from '../../store/webhook-port.js';
import type { OutboxHandler, OutboxRun } from '../outbox/outbox-handler.js';
import type { RetryPolicy } from '../outbox/retry-policy.js';
import { deliveryBody, SIGNATURE_HEADER, signatureHeader } from './webhook-bodies.js';
import type { WebhookSecrets } from './webhook-secrets.js';
import type { WebhookDeliveriesStore } from './webhooks-store.js';

export interface WebhookDeliveryHandlerDeps {
  store: WebhookDeliveriesStore;
  sender: WebhookSender;
  /** Opens the stored signing secrets (docs/decisions/0041). */
  secrets: WebhookSecrets;
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

/** A subscription failing without a success for this long is disabled. */
const DISABLE_AFTER_MS = 3 * 24 * 3600_000;

/** A failed attempt, as `classify` sees it. */
interface FailedAttempt {
  status: number | null;
  type: ClaimedDelivery['event']['type'];
}

type Run = OutboxRun<WebhookDispatchReport, FailedAttempt>;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class WebhookDeliveryHandler
  implements OutboxHandler<ClaimedDelivery, WebhookDispatchReport, FailedAttempt>
{
  readonly label = 'webhook';
  /** 30 s, doubling, at most 6 h apart, for three days after the first attempt. */
  readonly retry: RetryPolicy = { baseMs: 30_000, maxMs: 6 * 3600_000, giveUpAfterMs: 3 * 24 * 3600_000 };
  readonly batchSize: number;
  readonly lanes: number;

  constructor(private readonly deps: WebhookDeliveryHandlerDeps) {
    this.batchSize = deps.batchSize ?? 100;
    this.lanes = deps.loops ?? 4;
  }

  /** 410 Gone asks to stop; a ping is attempted once. */
  classify(failed: FailedAttempt): 'retry' | 'permanent' {
    return failed.status === 410 || failed.type === 'ping' ? 'permanent' : 'retry';
  }

  newReport(): WebhookDispatchReport {
    return { attempted: 0, delivered: 0 };
  }

  /** Due now (for a test program: due on its clock), of all programs or only `programId`'s. */
  claim(limit: number, programId: string | undefined): Promise<ClaimedDelivery[]> {
    return this.deps.store.webhookDeliveries.claim({
      limit,
      leaseMs: this.deps.leaseMs ?? 120_000,
      now: this.deps.clock.now(),
      programId,
    });
  }

  onQueued(listener: () => void): void {
    this.deps.store.webhookDeliveries.onQueued(listener);
  }

  async handle(batch: ClaimedDelivery[], run: Run): Promise<void> {
    const outcomes = await Promise.all(batch.map((d) => this.attempt(d, run)));
    await this.deps.store.webhookDeliveries.complete(outcomes);
    const { report } = run;
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

  private async attempt(d: ClaimedDelivery, run: Run): Promise<DeliveryOutcome> {
    const now = this.deps.clock.now();
    // A test program's delivery happens at the instant it fell due on its clock.
    const at = d.programMode === 'test' ? d.dueAt : now;
    const body = deliveryBody(d);
    const t = Math.floor(now.getTime() / 1000);
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    let secrets: string[];
    try {
      // During a rotation's overlap (program time) the previous secret signs too.
      secrets = this.deps.secrets.signingSecrets(d, at);
    } catch (err) {
      if (!(err instanceof SecretOpenError)) throw err;
      // Nothing is sent unsigned: the attempt fails with the reason, retried like any failure
      // (a keyring fixed within the retry window delivers it).
      this.deps.logger.error(
        { programId: d.programId, subscriptionId: d.subscriptionId, reason: err.message },
        'webhook signing secret does not open',
      );
      error = `signing secret cannot be opened (${err.message}); add its key back to SECRETS_KEYS or rotate the secret`;
      return { delivery: d, at, status, error, durationMs: 0, ...this.outcome(d, at, status, error, run) };
    }
    try {
      ({ status } = await this.deps.sender.post(d.url, body, {
        [SIGNATURE_HEADER]: signatureHeader(secrets, body, t),
        'Tierpass-Event-Id': d.event.id,
        'Tierpass-Event-Type': d.event.type,
        'Tierpass-Delivery-Id': d.id,
      }));
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      error = message(err);
    }
    const durationMs = performance.now() - started;
    return { delivery: d, at, status, error, durationMs, ...this.outcome(d, at, status, error, run) };
  }

  /** The effect of one attempt on its delivery and subscription. */
  private outcome(
    d: ClaimedDelivery,
    at: Date,
    status: number | null,
    error: string | null,
    run: Run,
  ): Pick<DeliveryOutcome, 'result' | 'nextDueAt' | 'disable'> {
    if (status !== null && status >= 200 && status < 300) {
      return { result: 'delivered', nextDueAt: null, disable: null };
    }
    const what = status === null ? (error ?? 'no answer') : `HTTP ${status}`;
    const failingSince = d.failingSince ?? at;
    const disable =
      status === 410
        ? 'The receiver answered 410 Gone: it asked to stop'
        : at.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS
          ? `Every delivery failed for 3 days since ${failingSince.toISOString()}; last: ${what}`
          : null;
    const decision = run.decide({ status, type: d.event.type }, d.attempts + 1, {
      firstAttemptAt: d.firstAttemptAt ?? at,
      at,
    });
    if (!decision.retry) return { result: 'failed', nextDueAt: null, disable };
    return { result: 'retry', nextDueAt: new Date(at.getTime() + decision.delayMs), disable };
  }
}
