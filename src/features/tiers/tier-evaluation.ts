/**
 * The facts real-time evaluation reads inside an event's unit of work (SPEC 4: upgrades are
 * immediate; continuous mode also drops on events). What follows from them is decided by
 * `decideOutcome` (domain/customer-outcome.ts), for events and recalculation runs alike.
 */
import {
  customerFacts,
  type OrderFacts,
  readsOrders,
  withPendingOrder,
} from '../../domain/customer-outcome.js';
import { type CustomerFacts, requiredWindows, windowBounds } from '../../domain/qualifications.js';
import type { ProgramSettings } from '../../domain/types.js';
import type { CustomerRecord, OrderRepository, TierRecord } from '../../store/port.js';

/** An order being written in the same transaction, not yet visible to queries. */
export interface PendingOrder {
  amount: number;
  placedAt: Date;
}

/**
 * Order facts of one customer at `asOf` (with `pending` counted), in one summary query — or null
 * without a query when no tier reads orders.
 */
export async function loadOrderFacts(
  orders: Pick<OrderRepository, 'summary'>,
  settings: Pick<ProgramSettings, 'timezone'>,
  tiers: readonly TierRecord[],
  customerId: string,
  asOf: Date,
  pending?: PendingOrder,
): Promise<OrderFacts | null> {
  if (!readsOrders(tiers)) return null;
  const windows = requiredWindows(tiers).map((w) => ({
    key: w,
    from: windowBounds(asOf, w, settings.timezone).from,
  }));
  const summary = await orders.summary(customerId, { windows, asOf });
  const facts = { windowSpend: summary.windowSpend, largestOrder: summary.largestOrder };
  return pending ? withPendingOrder(facts, windows, pending, asOf) : facts;
}

/** Facts of a customer at `asOf` as the rules read them (progress, keep status, pass views). */
export async function loadFacts(
  orders: Pick<OrderRepository, 'summary'>,
  settings: Pick<ProgramSettings, 'timezone'>,
  tiers: readonly TierRecord[],
  customer: CustomerRecord,
  asOf: Date,
): Promise<CustomerFacts> {
  return customerFacts(customer, await loadOrderFacts(orders, settings, tiers, customer.id, asOf), tiers);
}
