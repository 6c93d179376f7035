/**
 * Storing decided outcomes (docs/decisions/0038). The domain decides what a change causes
 * (domain/customer-outcome.ts); an adapter stores it, atomically with the unit of work, and decides
 * nothing: not which entries, not what an event says, not who is told.
 *
 * Guarantees every adapter must give (test/store/contract-outcomes.ts):
 * - the entries are written in order and the customer's balances move by exactly their deltas; a
 *   ledger key that already exists fails the write and nothing of it is stored;
 * - `last_earned_at` moves to the latest `at` of an entry with a positive lifetimeEarned delta;
 * - the placement (when not null) replaces the customer's, the change is recorded, a closed cycle
 *   moves `carrySince` to `cycleClosedAt`, and `updatedAt` to `at` when the row moved;
 * - a refresh is queued in the outbox for each kind in `passes` the customer holds (an Apple pass on
 *   at least one device; a Google Wallet object);
 * - each event is stored as given, with one pending delivery per enabled subscription of the
 *   program that wants its type, due at the event's `at`; an event nobody wants is not stored.
 */
import type { CustomerOutcome } from '../domain/customer-outcome.js';
import type { Inserted, NewOrder, OrderRecord } from './records.js';

/** The part of an outcome the store writes. */
export type OutcomeToStore = Pick<
  CustomerOutcome,
  'customerId' | 'at' | 'entries' | 'placement' | 'change' | 'events' | 'cycleClosedAt' | 'passes'
>;

/** Outcome writes inside a program's unit of work (the customer locked by the caller). */
export interface OutcomeTxRepository {
  /** Store one customer's outcome. */
  store(outcome: OutcomeToStore): Promise<void>;
  /**
   * Insert `order` unless its id exists and, only when it is new, store `outcome` with it (one
   * write); a replayed order stores nothing and reports the existing order.
   */
  storeWithOrder(order: NewOrder, outcome: OutcomeToStore): Promise<Inserted<OrderRecord>>;
}
