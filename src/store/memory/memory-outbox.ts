/** The outbox on the in-memory adapter: queued with a unit of work, claimed under a lease of database time. */
import type { PassKind } from '../../domain/customer-outcome.js';
import type { OutboxKind, OutboxRepository, OutboxTxRepository } from '../outbox-port.js';
import { type MemoryTx, put } from './memory-db.js';
import type { MemoryState } from './memory-state.js';

/** Does the customer hold a pass of this kind (Apple: on at least one device; Google: an object)? */
function holds(state: MemoryState, programId: string, customerId: string, kind: PassKind): boolean {
  const p = state.program(programId);
  if (kind === 'google') return p.googleObjects.has(customerId);
  const pass = p.passes.get(customerId);
  if (pass === undefined) return false;
  for (const r of p.registrations.values()) if (r.serial === pass.serial) return true;
  return false;
}

const KIND: Record<PassKind, OutboxKind> = { apple: 'apple_pass_changed', google: 'google_object_changed' };

/** Queue a refresh of each of `kinds` the customer holds; true when a row was queued. */
export function queueRefresh(
  state: MemoryState,
  tx: MemoryTx | null,
  programId: string,
  customerId: string,
  kinds: readonly PassKind[],
): boolean {
  let queued = false;
  for (const kind of (['apple', 'google'] as const).filter((k) => kinds.includes(k))) {
    if (!holds(state, programId, customerId, kind)) continue;
    const id = state.outboxIds.next();
    put(tx, state.outbox, id, {
      id,
      programId,
      customerId,
      kind: KIND[kind],
      dueAt: state.now(),
      attempts: 0,
      lastError: null,
      done: false,
    });
    queued = true;
  }
  if (queued && tx) tx.queued = true;
  return queued;
}

export function memoryOutboxTx(state: MemoryState, tx: MemoryTx, programId: string): OutboxTxRepository {
  return {
    async passesChanged(scope) {
      const p = state.program(programId);
      for (const c of [...p.customers.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
        if (scope?.tierId !== undefined && c.tierId !== scope.tierId) continue;
        queueRefresh(state, tx, programId, c.id, ['apple', 'google']);
      }
    },
  };
}

export function memoryOutbox(state: MemoryState, listeners: (() => void)[]): OutboxRepository {
  const update = (id: number, patch: (row: NonNullable<ReturnType<typeof state.outbox.get>>) => object) => {
    const row = state.outbox.get(id);
    if (row) state.outbox.set(id, { ...row, ...patch(row) });
  };
  const retryOne = (id: string, delayMs: number, error?: string) =>
    update(Number(id), (row) => ({
      dueAt: state.now() + delayMs,
      attempts: row.attempts + (error === undefined ? 0 : 1),
      lastError: error ?? row.lastError,
    }));
  return {
    onQueued(listener) {
      listeners.push(listener);
    },
    async claim(kind, limit, leaseMs) {
      const now = state.now();
      const due = [...state.outbox.values()]
        .filter((r) => !r.done && r.kind === kind && r.dueAt <= now)
        .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)
        .slice(0, limit);
      for (const r of due) state.outbox.set(r.id, { ...r, dueAt: now + leaseMs });
      return due.map((r) => ({
        id: String(r.id),
        programId: r.programId,
        customerId: r.customerId,
        kind: r.kind,
        attempts: r.attempts,
      }));
    },
    async done(ids) {
      // Delivered rows are dropped: nothing reads them again.
      for (const id of ids) state.outbox.delete(Number(id));
    },
    async retry(ids, delayMs, error) {
      for (const id of ids) retryOne(id, delayMs, error);
    },
    async retryEach(rows) {
      for (const r of rows) retryOne(r.id, r.delayMs, r.error);
    },
    async lastPushAges(programId, customerIds) {
      const ages = new Map<string, number>();
      const p = state.maybe(programId);
      if (!p) return ages;
      for (const id of customerIds) {
        const at = p.pushes.get(id);
        if (at !== undefined) ages.set(id, state.now() - at);
      }
      return ages;
    },
    async recordPushes(programId, customerIds) {
      const p = state.program(programId);
      for (const id of new Set(customerIds)) p.pushes.set(id, state.now());
    },
    async recordPushCounts(programId, at, counts) {
      if (counts.sent === 0 && counts.failed === 0) return;
      const p = state.program(programId);
      const hour = Math.floor(at.getTime() / 3_600_000) * 3_600_000;
      const was = p.pushCounts.get(hour) ?? { sent: 0, failed: 0 };
      p.pushCounts.set(hour, { sent: was.sent + counts.sent, failed: was.failed + counts.failed });
    },
  };
}
