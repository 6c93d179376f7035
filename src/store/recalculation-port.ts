/**
 * The storage port of recalculation runs (SPEC 4: boundaries are processed exactly once per
 * customer, in batches, resumably, shared by several instances). Reached as
 * `store.scoped(programId).runs`.
 *
 * Guarantees every adapter must give:
 * - `create` makes at most one run per key, also under concurrency.
 * - A batch is a range of consecutive customer ids; `claim` hands each range to one worker
 *   at a time (a lease) and hands an expired lease's batch to the next worker.
 * - `process` is one atomic unit of work: it re-checks the batch is not done, locks and reads
 *   the batch's customers, stores the outcomes the evaluation decided (as `outcomes` stores them)
 *   and marks the batch done; a crash rolls all of it back. So no customer is processed twice,
 *   whoever holds the lease.
 * - Balances keep equalling the ledger's sum (bonus and carry_reset entries move them).
 */
import type { OrderFacts, OutcomeCustomer } from '../domain/customer-outcome.js';
import type { OutcomeToStore } from './outcome-port.js';
import type { OrderSummaryQuery } from './port.js';

export type RunKind = 'cycle' | 'daily' | 'resync' | 'sync' | 'warning';
export type RunState = 'pending' | 'running' | 'done' | 'failed';

export interface RunRecord {
  /** Run id (the job id the API shows). */
  id: string;
  /** What the run re-evaluates for. */
  kind: RunKind;
  /** Unique per program: one run per boundary, day or request. */
  key: string;
  /** Program time the customers are evaluated at. */
  asOf: Date;
  /** Customers created at or after this instant are left out. */
  customersCreatedBefore: Date;
  /** pending until the first claim, running, then done or failed. */
  state: RunState;
  /** Customers expected at creation; equals `processed` once the run is done. */
  total: number;
  /** Customers processed so far. */
  processed: number;
  /** Why the run failed. */
  error: string | null;
  /** When the run was created (database time). */
  createdAt: Date;
  /** First batch claimed. */
  startedAt: Date | null;
  /** Done or failed. */
  finishedAt: Date | null;
}

/** A run with what its done batches changed (the rehearsal timeline, GET /v1/runs). */
export interface RunSummary extends RunRecord {
  /** Customers moved to a higher tier. */
  movedUp: number;
  /** Customers moved to a lower tier. */
  movedDown: number;
  /** Downgrade warnings written (warning runs). */
  warned: number;
}

/** Which runs `list` returns: `as_of` within [from, to), newest first, after a page cursor. */
export interface RunListQuery {
  /** Earliest `asOf`, inclusive. */
  from?: Date;
  /** Latest `asOf`, exclusive. */
  to?: Date;
  /** Only runs of these kinds. */
  kinds?: RunKind[];
  /** Runs strictly older than this (as_of, id) in the listing's order. */
  after?: { asOf: Date; id: string };
  /** Page size. */
  limit: number;
}

export interface NewRun {
  /** Run id (also the job id the API shows). */
  id: string;
  /** What the run re-evaluates for. */
  kind: RunKind;
  /** Unique per program; an existing run with this key is returned instead. */
  key: string;
  /** Program time the customers are evaluated at. */
  asOf: Date;
  /** Customers created at or after this instant are left out. */
  customersCreatedBefore: Date;
}

/** A claimed range of customers: fromId < id ≤ toId. */
export interface RunBatch {
  /** Position of the batch in its run, from 0. */
  seq: number;
  /** Exclusive lower bound ('' for the first batch). */
  fromId: string;
  /** Inclusive upper bound. */
  toId: string;
  /** Times this batch has been claimed (1 on the first claim; a takeover after an expired lease adds one). */
  attempts: number;
}

export interface ClaimOptions {
  /** Customers per new batch. */
  batchSize: number;
  /** How long the claim is exclusive before another worker may take the batch over. */
  leaseMs: number;
  /** Who claims (recorded for operators). */
  worker: string;
}

/** What a claim found: a batch to process, batches held by others, or a finished run. */
export type ClaimResult =
  | { type: 'batch'; batch: RunBatch }
  | { type: 'wait'; retryInMs: number }
  | { type: 'finished'; run: RunRecord };

/** What the tier rules read of one customer of a batch, with its order facts at the run's instant. */
export interface BatchCustomer extends OutcomeCustomer {
  /** Net spend per window and largest order; zeros when the batch did not ask for orders. */
  orders: OrderFacts;
}

/** How to process one batch. */
export interface BatchWork {
  /** Order facts to compute per customer; `withOrders: false` skips the orders entirely. */
  orders: OrderSummaryQuery & { withOrders: boolean };
  /**
   * A boundary run's boundary: customers whose carry cycle already starts there (closed by another
   * run for the same boundary) are left out, so no cycle is closed twice. Null otherwise.
   */
  closesCycleAt: Date | null;
  /**
   * Decide, in memory, the outcomes of the batch's customers (domain/customer-outcome.ts); the
   * store writes them as they are (outcome-port.ts). Pure: a retried transaction calls it again.
   */
  evaluate(customers: BatchCustomer[]): OutcomeToStore[];
  /** Runs inside the transaction after the writes, before commit (tests crash workers here). */
  beforeCommit?(batch: RunBatch): Promise<void>;
}

export interface BatchResult {
  /** The batch was already done (another worker finished it): nothing was written. */
  skipped: boolean;
  /** Customers processed by this call. */
  processed: number;
  /** The run after this batch. */
  run: RunRecord;
}

/** Runs of one program. Every method is its own transaction. */
export interface RunRepository {
  /** Create the run, or return the existing one with the same key. */
  create(run: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  /** One run or null. */
  get(id: string): Promise<RunRecord | null>;
  /** Runs by due time, newest first, with what their batches changed; one indexed page. */
  list(query: RunListQuery): Promise<RunSummary[]>;
  /** Unfinished (pending or running) runs, oldest first: what a restarted scheduler resumes. */
  listUnfinished(): Promise<RunRecord[]>;
  /**
   * Unfinished runs nobody is working on, oldest first, judged in database time: no batch
   * holds a live lease and either a claimed batch's lease has expired (its worker died) or
   * nothing happened to the run (created, claimed, committed) for `idleMs` (a worker died
   * before its first claim or between a commit and its next claim).
   */
  listOrphaned(idleMs: number): Promise<RunRecord[]>;
  /** Take the next batch (an expired lease first, then a new range); null when the run does not exist. */
  claim(runId: string, opts: ClaimOptions): Promise<ClaimResult | null>;
  /** Process a claimed batch in one transaction. */
  process(runId: string, batch: RunBatch, work: BatchWork): Promise<BatchResult>;
  /**
   * Give a batch back after a failed attempt; the run fails once the batch failed `maxAttempts`
   * times. Takeovers of a dead worker's batch (an expired lease) are not failures, nor is an
   * attempt that only lost its database connection (`counted` false).
   */
  release(
    runId: string,
    seq: number,
    error: string,
    maxAttempts: number,
    counted?: boolean,
  ): Promise<RunRecord>;
  /** End a run that needs no batches, or stop it as failed. */
  finish(runId: string, state: 'done' | 'failed', error: string | null): Promise<RunRecord>;
}
