/**
 * Customers, orders, refunds, idempotency records, the ledger, tier changes and the storing of
 * decided outcomes on the in-memory adapter. Outcomes are stored as given (outcome-port.ts): the
 * adapter checks every ledger key before it writes anything, so a duplicate stores nothing.
 */
import type { Balances } from '../../domain/types.js';
import type { OutcomeToStore, OutcomeTxRepository } from '../outcome-port.js';
import type {
  CustomerRecord,
  CustomerRepository,
  CustomerSearchQuery,
  IdempotencyRepository,
  LedgerEntry,
  LedgerRepository,
  OrderRecord,
  ProgramTx,
  TierChangeRepository,
} from '../port.js';
import { checkLimit, copy, customerLock, idCursor, type MemoryTx, put, writeLock } from './memory-db.js';
import { queueKlaviyo } from './memory-klaviyo.js';
import { queueRefresh } from './memory-outbox.js';
import { queueShopifyWriteBack } from './memory-shopify-write-back.js';
import type { MemoryState, ProgramData } from './memory-state.js';
import { storeEvents } from './memory-webhooks.js';

const ZERO: Balances = { current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 };

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** `ab_c%` matches itself literally: a plain lower-case prefix test. */
function matches(c: CustomerRecord, q: CustomerSearchQuery): boolean {
  if (q.tierId === null && c.tierId !== null) return false;
  if (typeof q.tierId === 'string' && c.tierId !== q.tierId) return false;
  if (!q.prefix) return true;
  const prefix = q.prefix;
  return [c.id, c.email, c.name].some((v) => v?.toLowerCase().startsWith(prefix));
}

/** Microseconds since the epoch of a Date (the PostgreSQL adapter's `newest` key). */
function micros(d: Date): bigint {
  return BigInt(d.getTime()) * 1000n;
}

export function memoryCustomers(
  state: MemoryState,
  programId: string,
  tx: MemoryTx | null,
): CustomerRepository & { lock(id: string): Promise<CustomerRecord | null> } {
  const rows = () => state.maybe(programId)?.customers;
  return {
    async get(id) {
      const c = rows()?.get(id);
      return c ? copy(c) : null;
    },
    async getMany(ids) {
      const found = new Map<string, CustomerRecord>();
      for (const id of ids) {
        const c = rows()?.get(id);
        if (c) found.set(id, copy(c));
      }
      return [...found.values()];
    },
    async lock(id) {
      if (!tx) throw new Error('customers.lock needs a transaction');
      await writeLock(tx, ...customerLock(programId, id));
      const c = rows()?.get(id);
      return c ? copy(c) : null;
    },
    async upsert(id, patch, now) {
      await writeLock(tx, ...customerLock(programId, id));
      const { customers, customerSources } = state.program(programId);
      const was = customers.get(id);
      // A later source time stored keeps email, name and tags (records.ts, CustomerPatch).
      const stored = customerSources.get(id);
      const source = patch.sourceUpdatedAt;
      const fresh = source === undefined || stored === undefined || stored.getTime() <= source.getTime();
      if (fresh && source !== undefined) put(tx, customerSources, id, new Date(source));
      if (was === undefined) {
        const record: CustomerRecord = {
          id,
          email: patch.email ?? null,
          name: patch.name ?? null,
          tags: [...(patch.tags ?? [])],
          segments: [...(patch.segments ?? [])],
          tierId: null,
          tierTags: [],
          balances: { ...ZERO },
          carrySince: new Date(now),
          lastEarnedAt: null,
          tierSince: new Date(now),
          lastChangeReason: null,
          bonusedTierIds: [],
          createdAt: new Date(now),
          updatedAt: new Date(now),
        };
        put(tx, customers, id, record);
        return { record: copy(record), created: true, stale: false };
      }
      const email = fresh ? patch.email : undefined;
      const name = fresh ? patch.name : undefined;
      const tags = fresh ? patch.tags : undefined;
      const given =
        email !== undefined || name !== undefined || tags !== undefined || patch.segments !== undefined;
      const record: CustomerRecord = {
        ...was,
        email: email !== undefined ? email : was.email,
        name: name !== undefined ? name : was.name,
        tags: tags !== undefined ? [...tags] : was.tags,
        segments: patch.segments !== undefined ? [...patch.segments] : was.segments,
        updatedAt: given ? new Date(now) : was.updatedAt,
      };
      put(tx, customers, id, record);
      return { record: copy(record), created: false, stale: !fresh };
    },
    async search(query) {
      const newest = query.sort === 'newest';
      const [first, second] = query.after ?? [];
      let list = [...(rows()?.values() ?? [])].filter((c) => matches(c, query));
      if (newest) {
        list.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || byId(b, a));
        if (first !== undefined && second !== undefined) {
          const us = BigInt(first);
          list = list.filter(
            (c) => micros(c.createdAt) < us || (micros(c.createdAt) === us && c.id < second),
          );
        }
      } else {
        list.sort(byId);
        if (first !== undefined) list = list.filter((c) => c.id > first);
      }
      const page = list.slice(0, query.limit);
      const last = page.at(-1);
      const more = list.length > query.limit && last !== undefined;
      return {
        items: page.map(copy),
        nextKey: more ? (newest ? [String(micros(last.createdAt)), last.id] : [last.id]) : null,
      };
    },
  };
}

/** Net amount of an order (refunds taken off). */
function net(o: OrderRecord): number {
  return o.amount - o.refundedAmount;
}

export function memoryOrders(
  state: MemoryState,
  programId: string,
  tx: MemoryTx | null,
): ProgramTx['orders'] {
  const rows = () => state.maybe(programId)?.orders;
  return {
    async get(id) {
      const o = rows()?.get(id);
      return o ? copy(o) : null;
    },
    async summary(customerId, q) {
      const placed = [...(rows()?.values() ?? [])].filter(
        (o) => o.customerId === customerId && o.placedAt.getTime() <= q.asOf.getTime(),
      );
      const windowSpend: Record<string, number> = {};
      for (const w of q.windows)
        windowSpend[w.key] = placed
          .filter((o) => o.placedAt.getTime() > w.from.getTime())
          .reduce((s, o) => s + net(o), 0);
      return {
        windowSpend,
        largestOrder: placed.reduce((m, o) => Math.max(m, net(o)), 0),
        totalSpend: placed.reduce((s, o) => s + net(o), 0),
      };
    },
    async listByCustomer(customerId, opts) {
      checkLimit(opts.limit);
      const all = [...(rows()?.values() ?? [])]
        .filter((o) => o.customerId === customerId)
        .sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime() || byId(b, a));
      let list = all;
      if (opts.cursor !== undefined) {
        const at = all.findIndex((o) => o.id === opts.cursor);
        const cursor = rows()?.get(opts.cursor);
        if (at >= 0) list = all.slice(at + 1);
        else if (cursor === undefined) list = [];
      }
      const page = list.slice(0, opts.limit);
      return {
        items: page.map(copy),
        nextCursor: list.length > opts.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
    async refundsOf(orderIds) {
      const wanted = new Set(orderIds);
      return [...(state.maybe(programId)?.refunds.values() ?? [])]
        .filter((r) => wanted.has(r.orderId))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .map(copy);
    },
    async insert(order) {
      await writeLock(tx, 'order', programId, order.id);
      const orders = state.program(programId).orders;
      const existing = orders.get(order.id);
      if (existing) return { inserted: false, existing: copy(existing) };
      if (!state.program(programId).customers.has(order.customerId))
        throw new Error(`customer ${order.customerId} not found`);
      put(tx, orders, order.id, {
        ...copy(order),
        refundedAmount: 0,
        pointsReversed: 0,
        createdAt: new Date(state.now()),
      });
      return { inserted: true };
    },
    async updateRefunded(id, refundedAmount, pointsReversed) {
      await writeLock(tx, 'order', programId, id);
      const orders = state.program(programId).orders;
      const o = orders.get(id);
      if (!o) throw new Error(`order ${id} not found`);
      put(tx, orders, id, { ...o, refundedAmount, pointsReversed });
    },
  };
}

export function memoryRefunds(
  state: MemoryState,
  programId: string,
  tx: MemoryTx | null,
): ProgramTx['refunds'] {
  return {
    async get(id) {
      const r = state.maybe(programId)?.refunds.get(id);
      return r ? copy(r) : null;
    },
    async insert(refund) {
      await writeLock(tx, 'refund', programId, refund.id);
      const p = state.program(programId);
      const existing = p.refunds.get(refund.id);
      if (existing) return { inserted: false, existing: copy(existing) };
      if (!p.orders.has(refund.orderId)) throw new Error(`order ${refund.orderId} not found`);
      // Refunds sort oldest first: database time never goes back, so ties keep insertion order.
      put(tx, p.refunds, refund.id, { ...copy(refund), createdAt: new Date(state.now()) });
      return { inserted: true };
    },
  };
}

export function memoryIdempotency(
  state: MemoryState,
  programId: string,
  tx: MemoryTx | null,
): IdempotencyRepository & { insert: ProgramTx['idempotency']['insert'] } {
  return {
    async get(key) {
      const r = state.maybe(programId)?.idempotency.get(key);
      return r ? copy(r) : null;
    },
    async insert(rec) {
      await writeLock(tx, 'idempotency', programId, rec.key);
      const p = state.program(programId);
      const existing = p.idempotency.get(rec.key);
      if (existing) return { inserted: false, existing: copy(existing) };
      put(tx, p.idempotency, rec.key, { ...copy(rec), createdAt: new Date(state.now()) });
      return { inserted: true };
    },
  };
}

function entriesOf(p: ProgramData | undefined, customerId: string): LedgerEntry[] {
  return [...(p?.ledger.values() ?? [])].filter((e) => e.customerId === customerId);
}

export function memoryLedger(state: MemoryState, programId: string): LedgerRepository {
  return {
    async list(customerId, opts) {
      checkLimit(opts.limit);
      const before = idCursor(opts.cursor);
      const list = entriesOf(state.maybe(programId), customerId)
        .filter((e) => before === null || Number(e.id) < before)
        .sort((a, b) => Number(b.id) - Number(a.id));
      const page = list.slice(0, opts.limit);
      return {
        items: page.map(copy),
        nextCursor: list.length > opts.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
    async sum(customerId) {
      const total = { ...ZERO };
      for (const e of entriesOf(state.maybe(programId), customerId)) {
        total.current += e.delta.current;
        total.carry += e.delta.carry;
        total.lifetimeEarned += e.delta.lifetimeEarned;
        total.lifetimeSpend += e.delta.lifetimeSpend;
      }
      return total;
    },
    async ofOrder(orderId, refundIds) {
      const p = state.maybe(programId);
      if (!p) return [];
      const keys = new Set([`order:${orderId}`, ...refundIds.map((id) => `refund:${id}`)]);
      const found = [...p.ledger.values()].filter((e) => keys.has(e.key));
      // The bonus an order triggered is written right after its earn entry, in the same write at
      // the same program time: the customer's next entry, when it is a bonus with the same times.
      const earn = p.ledger.get(`order:${orderId}`);
      if (earn !== undefined) {
        const next = entriesOf(p, earn.customerId)
          .filter((e) => Number(e.id) > Number(earn.id))
          .sort((a, b) => Number(a.id) - Number(b.id))[0];
        if (
          next?.type === 'bonus' &&
          next.at.getTime() === earn.at.getTime() &&
          next.createdAt.getTime() === earn.createdAt.getTime()
        )
          found.push(next);
      }
      return found.sort((a, b) => Number(a.id) - Number(b.id)).map(copy);
    },
  };
}

export function memoryTierChanges(state: MemoryState, programId: string): TierChangeRepository {
  return {
    async list(customerId, opts) {
      checkLimit(opts.limit);
      const before = idCursor(opts.cursor);
      const list = [...(state.maybe(programId)?.tierChanges.values() ?? [])]
        .filter((c) => c.customerId === customerId && (before === null || Number(c.id) < before))
        .sort((a, b) => Number(b.id) - Number(a.id));
      const page = list.slice(0, opts.limit);
      return {
        items: page.map(copy),
        nextCursor: list.length > opts.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  };
}

/**
 * Store one decided outcome as given (outcome-port.ts), all or nothing: every check comes before
 * the first write, and the writes run in one synchronous step.
 */
export function storeOutcome(
  state: MemoryState,
  tx: MemoryTx | null,
  programId: string,
  o: OutcomeToStore,
): void {
  const p = state.program(programId);
  const writesRow = o.entries.length > 0 || o.placement !== null || o.cycleClosedAt !== null;
  const was = p.customers.get(o.customerId);
  if (writesRow && was === undefined) throw new Error(`customer ${o.customerId} not found`);
  const keys = new Set<string>();
  for (const e of o.entries) {
    if (p.ledger.has(e.key) || keys.has(e.key)) throw new Error(`ledger key ${e.key} exists`);
    keys.add(e.key);
  }
  const balances = { ...(was?.balances ?? ZERO) };
  let earnedAt: number | null = null;
  const created = state.now();
  for (const e of o.entries) {
    const id = String(state.ledgerIds.next());
    put(tx, p.ledger, e.key, {
      ...copy(e),
      id,
      customerId: o.customerId,
      createdAt: new Date(created),
    });
    balances.current += e.delta.current;
    balances.carry += e.delta.carry;
    balances.lifetimeEarned += e.delta.lifetimeEarned;
    balances.lifetimeSpend += e.delta.lifetimeSpend;
    if (e.delta.lifetimeEarned > 0 && (earnedAt === null || e.at.getTime() > earnedAt))
      earnedAt = e.at.getTime();
  }
  if (o.change) {
    const id = String(state.changeIds.next());
    put(tx, p.tierChanges, id, { ...copy(o.change), id, createdAt: new Date(state.now()) });
  }
  if (writesRow && was !== undefined) {
    const latest = (a: Date | null, b: number | null) =>
      b === null ? a : a === null || a.getTime() < b ? new Date(b) : a;
    const pl = o.placement;
    put(tx, p.customers, o.customerId, {
      ...was,
      ...(pl
        ? {
            tierId: pl.tierId,
            tierTags: [...pl.tierTags],
            tierSince: new Date(pl.tierSince),
            lastChangeReason: pl.lastChangeReason,
            bonusedTierIds: [...pl.bonusedTierIds],
          }
        : {}),
      balances,
      lastEarnedAt: latest(was.lastEarnedAt, earnedAt),
      carrySince: latest(was.carrySince, o.cycleClosedAt?.getTime() ?? null) ?? was.carrySince,
      updatedAt: latest(was.updatedAt, o.at.getTime()) ?? was.updatedAt,
    });
  }
  queueRefresh(state, tx, programId, o.customerId, o.passes);
  if (o.passes.length > 0 || o.placement !== null) queueShopifyWriteBack(state, tx, programId, o.customerId);
  const klaviyoEvents: string[] = [];
  storeEvents(state, tx, programId, o.events, klaviyoEvents);
  queueKlaviyo(
    state,
    tx,
    programId,
    o.customerId,
    klaviyoEvents,
    o.placement !== null || o.entries.length > 0,
  );
}

export function memoryOutcomes(state: MemoryState, programId: string, tx: MemoryTx): OutcomeTxRepository {
  return {
    async store(outcome) {
      await writeLock(tx, ...customerLock(programId, outcome.customerId));
      storeOutcome(state, tx, programId, outcome);
    },
    async storeWithOrder(order, outcome) {
      // The customer first, then the order id: the order path's own order (customers.lock, then
      // the write), so the two never wait for each other in opposite orders.
      await writeLock(tx, ...customerLock(programId, outcome.customerId));
      await writeLock(tx, 'order', programId, order.id);
      const p = state.program(programId);
      const existing = p.orders.get(order.id);
      if (existing) return { inserted: false, existing: copy(existing) };
      if (!p.customers.has(order.customerId)) throw new Error(`customer ${order.customerId} not found`);
      // One synchronous step: the order, then its outcome; an outcome that fails takes the order
      // back with it (it writes nothing itself before its checks pass).
      const record: OrderRecord = {
        ...copy(order),
        refundedAmount: 0,
        pointsReversed: 0,
        createdAt: new Date(state.now()),
      };
      put(tx, p.orders, order.id, record);
      try {
        storeOutcome(state, tx, programId, outcome);
      } catch (err) {
        if (p.orders.get(order.id) === record) p.orders.delete(order.id);
        throw err;
      }
      return { inserted: true };
    },
  };
}
