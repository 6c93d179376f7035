/**
 * What the ledger feature (orders, refunds, point adjustments and redemptions, order reads) needs
 * of storage, for one program (docs/decisions/0036): read orders and their entries, and run an
 * event's unit of work — lock the customer, read tiers and order facts, store the decided outcome.
 */
import type { CustomerRepository, LedgerRepository, OrderRepository, ProgramTx } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

/** An event's unit of work. */
export type LedgerTx = Pick<
  ProgramTx,
  'customers' | 'tiers' | 'orders' | 'refunds' | 'idempotency' | 'outcomes'
>;

export interface LedgerScope {
  orders: Pick<OrderRepository, 'get' | 'listByCustomer' | 'refundsOf'>;
  ledger: Pick<LedgerRepository, 'ofOrder'>;
  customers: Pick<CustomerRepository, 'get'>;
  /** One customer's unit of work (the adapter may commit several customers' units together). */
  customerTransaction<T>(customerId: string, fn: (tx: LedgerTx) => Promise<T>): Promise<T>;
}

export type LedgerStore = ScopedStore<LedgerScope>;
