/** What storage keeps of a program's Shopify history backfill (migration 036, docs/decisions/0046). */

export type ShopifyBackfillState = 'running' | 'resyncing' | 'done' | 'failed';
export type ShopifyBackfillPhase = 'customers' | 'orders' | 'resync' | 'done';

export interface ShopifyBackfillRecord {
  programId: string;
  id: string;
  /** Orders processed at or after this instant are imported; customers updated since it. */
  since: Date;
  /** How the start request asked orders to be read; null: the server's default (migration 043). */
  ordersMode: 'auto' | 'paged' | 'bulk' | null;
  state: ShopifyBackfillState;
  phase: ShopifyBackfillPhase;
  /** The Admin API cursor of the last page applied in this phase; null at its start. */
  cursor: string | null;
  customersDone: number;
  ordersDone: number;
  /** Orders read and not counted (test orders, unpaid, no customer, nothing to earn). */
  ordersSkipped: number;
  refundsDone: number;
  /** Orders expected in all (estimated from the time covered; exact once done). */
  ordersEstimate: number | null;
  /** The processed time of the last order read (orders come oldest first). */
  coveredThrough: Date | null;
  errors: number;
  lastError: string | null;
  /** The resync run that ends the backfill (GET /v1/jobs/{id}). */
  resyncRunId: string | null;
  worker: string | null;
  leaseUntil: Date | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export type ShopifyBackfillPatch = Partial<
  Pick<
    ShopifyBackfillRecord,
    | 'state'
    | 'phase'
    | 'cursor'
    | 'customersDone'
    | 'ordersDone'
    | 'ordersSkipped'
    | 'refundsDone'
    | 'ordersEstimate'
    | 'coveredThrough'
    | 'errors'
    | 'lastError'
    | 'resyncRunId'
    | 'leaseUntil'
    | 'finishedAt'
  >
>;

/** One program's backfill; each method is its own statement. */
export interface ShopifyBackfillRepository {
  /** The latest backfill, or null. */
  get(): Promise<ShopifyBackfillRecord | null>;
  /**
   * Begin a backfill held by `worker` until `leaseUntil`, replacing a finished one; null (and
   * nothing written) while another is running or resyncing.
   */
  start(b: {
    id: string;
    since: Date;
    ordersMode?: ShopifyBackfillRecord['ordersMode'];
    worker: string;
    leaseUntil: Date;
    now: Date;
  }): Promise<ShopifyBackfillRecord | null>;
  /**
   * Take (or keep) the lease of backfill `id`: granted when it is unfinished and its lease is
   * free, expired at `now`, or already `worker`'s. Null otherwise.
   */
  claim(id: string, worker: string, leaseUntil: Date, now: Date): Promise<ShopifyBackfillRecord | null>;
  /** Record progress of backfill `id` while `worker` holds it; null when it no longer does. */
  update(
    id: string,
    worker: string,
    patch: ShopifyBackfillPatch,
    now: Date,
  ): Promise<ShopifyBackfillRecord | null>;
}

/** Across programs: the unfinished backfills whose lease expired (their worker stopped). */
export interface ShopifyBackfillDirectory {
  orphaned(now: Date, limit: number): Promise<{ programId: string; id: string }[]>;
}
