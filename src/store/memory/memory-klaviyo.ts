/** A program's Klaviyo connection and the Klaviyo rows of the outbox on the in-memory adapter (0044). */
import type {
  KlaviyoEventRecord,
  KlaviyoOutboxItem,
  KlaviyoQueue,
  KlaviyoRepository,
} from '../klaviyo-port.js';
import { copy, type MemoryTx, put } from './memory-db.js';
import type { MemoryState } from './memory-state.js';

/**
 * With a Klaviyo connection: a row per event, then one for the profile when `profile` (the
 * balance or tier moved), as the PostgreSQL statement queues them.
 */
export function queueKlaviyo(
  state: MemoryState,
  tx: MemoryTx | null,
  programId: string,
  customerId: string,
  eventIds: readonly string[],
  profile: boolean,
): void {
  if (state.program(programId).klaviyo === null) return;
  const rows = [...eventIds, ...(profile ? [null] : [])];
  for (const eventId of rows) {
    const id = state.outboxIds.next();
    put(tx, state.outbox, id, {
      id,
      programId,
      customerId,
      kind: 'klaviyo_profile_changed',
      dueAt: state.now(),
      attempts: 0,
      lastError: null,
      done: false,
      eventId,
    });
  }
  if (rows.length > 0 && tx) tx.queued = true;
}

export function memoryKlaviyo(state: MemoryState, programId: string): KlaviyoRepository {
  return {
    async get() {
      const c = state.maybe(programId)?.klaviyo;
      return c ? copy(c) : null;
    },
    async save(c, now) {
      const p = state.program(programId);
      p.klaviyo = {
        ...c,
        programId,
        state: 'connected',
        lastError: null,
        connectedAt: new Date(now),
        updatedAt: new Date(now),
      };
      return copy(p.klaviyo);
    },
    async setState(s, lastError, now) {
      const p = state.maybe(programId);
      if (!p?.klaviyo) return false;
      p.klaviyo = { ...p.klaviyo, state: s, lastError, updatedAt: new Date(now) };
      return true;
    },
    async remove() {
      const p = state.maybe(programId);
      if (!p?.klaviyo) return false;
      p.klaviyo = null;
      return true;
    },
    async redacted(customerIds) {
      const p = state.maybe(programId);
      return customerIds.filter((id) => p?.customers.has(id) && p.redactions.has(id));
    },
    async customerPage(after, limit) {
      const p = state.maybe(programId);
      return [...(p?.customers.keys() ?? [])]
        .filter((id) => id > after)
        .sort()
        .slice(0, limit)
        .map((id) => ({ id, redacted: p?.redactions.has(id) === true }));
    },
    async sync() {
      const s = state.maybe(programId)?.klaviyoSync;
      return s ? copy(s) : null;
    },
    async startSync(s, now) {
      const p = state.program(programId);
      if (p.klaviyoSync?.state === 'running') return null;
      p.klaviyoSync = {
        programId,
        id: s.id,
        state: 'running',
        cursor: null,
        total: s.total,
        sent: 0,
        skipped: 0,
        jobs: 0,
        attempts: 0,
        lastError: null,
        retryAt: null,
        worker: s.worker,
        leaseUntil: new Date(s.leaseUntil),
        startedAt: new Date(now),
        updatedAt: new Date(now),
        finishedAt: null,
      };
      return copy(p.klaviyoSync);
    },
    async claimSync(id, worker, leaseUntil, now) {
      const p = state.maybe(programId);
      const s = p?.klaviyoSync;
      if (!p || !s || s.id !== id || s.state !== 'running') return null;
      const free = s.worker === worker || s.leaseUntil === null || s.leaseUntil < now;
      if (!free || (s.retryAt !== null && s.retryAt > now)) return null;
      p.klaviyoSync = { ...s, worker, leaseUntil: new Date(leaseUntil) };
      return copy(p.klaviyoSync);
    },
    async saveSync(id, worker, patch, now) {
      const p = state.maybe(programId);
      const s = p?.klaviyoSync;
      if (!p || !s || s.id !== id || s.worker !== worker || s.state !== 'running') return null;
      const { leaseUntil, ...rest } = patch;
      p.klaviyoSync = {
        ...s,
        ...rest,
        leaseUntil: leaseUntil && new Date(leaseUntil),
        worker: leaseUntil === null ? null : s.worker,
        updatedAt: new Date(now),
      };
      return copy(p.klaviyoSync);
    },
    async events(ids) {
      const p = state.maybe(programId);
      const out: KlaviyoEventRecord[] = [];
      for (const id of ids) {
        const e = p?.events.get(id);
        if (e) out.push(copy({ ...e, type: e.type as KlaviyoEventRecord['type'] }));
      }
      return out;
    },
  };
}

export function memoryKlaviyoQueue(state: MemoryState): KlaviyoQueue {
  return {
    async claim(limit, leaseMs, programId) {
      const now = state.now();
      const pending = [...state.outbox.values()]
        .filter((r) => !r.done && r.kind === 'klaviyo_profile_changed')
        .filter((r) => programId === undefined || r.programId === programId)
        .sort((a, b) => a.id - b.id);
      // A customer whose earliest waiting row is not due yet is held back entirely.
      const blocked = new Set<string>();
      const claimed: KlaviyoOutboxItem[] = [];
      for (const r of pending) {
        const key = `${r.programId}\u0000${r.customerId}`;
        if (r.dueAt > now) {
          blocked.add(key);
          continue;
        }
        if (blocked.has(key) || claimed.length >= limit) continue;
        state.outbox.set(r.id, { ...r, dueAt: now + leaseMs });
        claimed.push({
          id: String(r.id),
          programId: r.programId,
          customerId: r.customerId,
          kind: r.kind,
          attempts: r.attempts,
          eventId: r.eventId ?? null,
          erasureSealed: r.erasureSealed ?? null,
        });
      }
      return claimed;
    },
    async done(ids) {
      // Done rows are dropped (as memoryOutbox does): the erasure value goes with them.
      for (const id of ids) state.outbox.delete(Number(id));
    },
    async syncsToResume(now, limit) {
      const out: { programId: string; id: string }[] = [];
      for (const [programId, p] of state.programs) {
        const s = p.klaviyoSync;
        if (s?.state !== 'running') continue;
        if (s.leaseUntil !== null && s.leaseUntil >= now) continue;
        if (s.retryAt !== null && s.retryAt > now) continue;
        out.push({ programId, id: s.id });
      }
      return out.slice(0, limit);
    },
  };
}
