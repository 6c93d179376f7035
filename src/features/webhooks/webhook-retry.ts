/**
 * What becomes of a failed attempt (docs/decisions/0013-webhooks.md): retried with exponential
 * backoff (30 s, doubling, at most 6 h apart) until three days after the delivery's first
 * attempt, then given up; a subscription failing without a single success for three days, or
 * whose receiver answers 410 Gone, is disabled with a reason the merchant sees. A ping (test
 * event) is attempted once: the merchant who sent it is watching (docs/decisions/0032). Pure.
 */
import type { ClaimedDelivery, DeliveryOutcome } from '../../store/webhook-port.js';

export const FIRST_RETRY_MS = 30_000;
export const MAX_RETRY_MS = 6 * 3600_000;
/** A delivery is retried for at least this long after its first attempt. */
export const GIVE_UP_AFTER_MS = 3 * 24 * 3600_000;
/** A subscription failing without a success for this long is disabled. */
export const DISABLE_AFTER_MS = 3 * 24 * 3600_000;

/** Delay before the retry that follows failed attempt number `attempt` (1 = the first). */
export function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.min(attempt - 1, 30), MAX_RETRY_MS);
}

/** A 2xx answer. */
export const isSuccess = (status: number | null) => status !== null && status >= 200 && status < 300;

/** The effect of one attempt on its delivery and subscription. */
export function attemptOutcome(
  d: ClaimedDelivery,
  at: Date,
  status: number | null,
  error: string | null,
): Pick<DeliveryOutcome, 'result' | 'nextDueAt' | 'disable'> {
  if (isSuccess(status)) return { result: 'delivered', nextDueAt: null, disable: null };
  const what = status === null ? (error ?? 'no answer') : `HTTP ${status}`;
  if (status === 410) {
    return { result: 'failed', nextDueAt: null, disable: 'The receiver answered 410 Gone: it asked to stop' };
  }
  const firstAttempt = d.firstAttemptAt ?? at;
  const failingSince = d.failingSince ?? at;
  const disable =
    at.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS
      ? `Every delivery failed for 3 days since ${failingSince.toISOString()}; last: ${what}`
      : null;
  if (d.event.type === 'ping' || at.getTime() - firstAttempt.getTime() >= GIVE_UP_AFTER_MS) {
    return { result: 'failed', nextDueAt: null, disable };
  }
  return { result: 'retry', nextDueAt: new Date(at.getTime() + retryDelayMs(d.attempts + 1)), disable };
}
