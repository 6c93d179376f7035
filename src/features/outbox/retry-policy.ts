/**
 * How an outbox kind backs off and gives up, declared as data by its handler and applied by the
 * outbox worker (docs/decisions/0034-one-outbox-worker.md). Pure: times are parameters.
 */

/** One kind's retry policy. */
export interface RetryPolicy {
  /** Delay after the first failed attempt; doubled per further attempt. */
  baseMs: number;
  /** The delay never exceeds this. */
  maxMs: number;
  /** Give up once this many attempts have failed. */
  maxAttempts?: number;
  /** Give up once this long has passed since the first attempt. */
  giveUpAfterMs?: number;
}

/** A failed attempt, as the policy sees it. */
export interface Failure {
  /** Failed attempts so far, this one included (1 = the first). */
  attempt: number;
  /** The kind's `classify` called the failure permanent: never retried. */
  permanent: boolean;
  /** For `giveUpAfterMs`: when the first attempt happened and when this one did. */
  firstAttemptAt?: Date;
  at?: Date;
}

/** What becomes of a failed item: tried again after `delayMs`, or given up. */
export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'permanent' | 'exhausted' };

/** Delay before the retry that follows failed attempt number `attempt` (1 = the first). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.baseMs * 2 ** (attempt - 1), policy.maxMs);
}

/** Apply `policy` to one failure. */
export function decideRetry(policy: RetryPolicy, failure: Failure): RetryDecision {
  if (failure.permanent) return { retry: false, reason: 'permanent' };
  if (policy.maxAttempts !== undefined && failure.attempt >= policy.maxAttempts) {
    return { retry: false, reason: 'exhausted' };
  }
  const { firstAttemptAt, at } = failure;
  if (
    policy.giveUpAfterMs !== undefined &&
    firstAttemptAt &&
    at &&
    at.getTime() - firstAttemptAt.getTime() >= policy.giveUpAfterMs
  ) {
    return { retry: false, reason: 'exhausted' };
  }
  return { retry: true, delayMs: backoffMs(policy, failure.attempt) };
}
