/**
 * What the outbox worker needs to know about one kind of outbox work (Apple pushes, Google
 * object updates, webhook deliveries): how to claim its due items, how to handle a claimed
 * batch, and how it backs off and gives up. One file per kind declares its handler; one line in
 * app.ts registers it (docs/decisions/0034-one-outbox-worker.md).
 */
import type { RetryDecision, RetryPolicy } from './retry-policy.js';

/** What a handler gets while handling a batch. */
export interface OutboxRun<Report, Failed> {
  /** What this dispatch did so far (the handler adds to it). */
  report: Report;
  /**
   * The kind's retry policy applied to a failed item: `failed` is classified by the handler's
   * `classify`, `attempt` counts this failure (1 = the first).
   */
  decide(failed: Failed, attempt: number, times?: { firstAttemptAt: Date; at: Date }): RetryDecision;
}

export interface OutboxHandler<Item, Report, Failed = unknown, Batch = Item[]> {
  /** For logs: "<label> dispatch failed". */
  label: string;
  /** Items claimed at a time. */
  batchSize: number;
  /** Claim loops run at once when the first claim of a dispatch comes back full (default 1). */
  lanes?: number;
  /** How a failed item backs off and when it is given up. */
  retry: RetryPolicy;
  /** Whether a failure is worth retrying at all. */
  classify(failed: Failed): 'retry' | 'permanent';
  /** An empty report, at the start of each dispatch. */
  newReport(): Report;
  /**
   * Claim up to `limit` due items (leased, so a crashed worker's items come back); `scope` is
   * the program a dispatch was asked for, or undefined for all programs.
   */
  claim(limit: number, scope: string | undefined): Promise<Item[]>;
  /**
   * Optional first stage: prepare a claimed batch while the previous one (`inFlight`) is still
   * being handled, so database reads overlap the vendor's traffic. Without it a batch is its items.
   */
  prepare?(items: Item[], run: OutboxRun<Report, Failed>, inFlight: Batch | undefined): Promise<Batch>;
  /** Deliver a batch and record every item's outcome (done, retried or given up). */
  handle(batch: Batch, run: OutboxRun<Report, Failed>): Promise<void>;
  /** Subscribe to commits that queued items of this kind (on-commit wake-up). */
  onQueued(listener: () => void): void;
}
