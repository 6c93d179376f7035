/**
 * Read model of the wallet health panel (issue 12, item 7): what the program's Apple and Google
 * passes amount to and how their deliveries went. Scoped by program; every count is an indexed
 * count or a bounded window (docs/decisions/0033-rehearsal-and-operations.md).
 */

/** One Google object whose last update failed for good. */
export interface GoogleObjectFailure {
  /** The merchant's customer id. */
  customerId: string;
  /** Google's object id. */
  objectId: string;
  /** What Google (or the retries) said. */
  error: string;
  /** When it failed. */
  at: Date;
}

/** The counts behind the panel. */
export interface WalletHealthCounts {
  /** Apple passes issued (one per customer who asked). */
  applePasses: number;
  /** Distinct devices holding at least one of the program's passes. */
  devices: number;
  /** Registrations (a device × a pass). */
  registrations: number;
  /** APNs pushes in the window: accepted, and refused / gone / to be retried. */
  pushes: { sent: number; failed: number };
  /** Google loyalty objects by state: accepted by the API, not yet accepted, last update failed. */
  googleObjects: { total: number; synced: number; pending: number; failing: number };
  /** The most recent failures, newest first. */
  googleFailures: GoogleObjectFailure[];
}

export interface WalletHealthRepository {
  /**
   * The counts, with pushes of the hours starting after `since` up to `until` (program time) and
   * at most `failures` recent Google failures.
   */
  counts(window: { since: Date; until: Date }, failures: number): Promise<WalletHealthCounts>;
}
