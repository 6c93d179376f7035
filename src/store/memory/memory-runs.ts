/**
 * Recalculation runs on the in-memory adapter: one run per key, ranges of consecutive customer
 * ids handed out under leases judged by the store's clock, takeovers of expired leases, and
 * `process` as one unit of work (batch lock, customer locks, outcomes, batch marked done; a throw
 * undoes all of it).
 */
import type {
  BatchCustomer,
  BatchResult,
  ClaimResult,
  RunBatch,
  RunRecord,
  RunRepository,
  RunSummary,
} from '../recalculation-port.js';
import { storeOutcome } from './memory-customers.js';
import { copy, customerLock, type MemoryTx, put, writeLock } from './memory-db.js';
import type { BatchRow, MemoryState, ProgramData, RunRow } from './memory-state.js';

/** Run a unit of work: committed when `fn` resolves, undone when it throws. */
export type UnitRunner = <T>(fn: (tx: MemoryTx) => Promise<T>) => Promise<T>;

const batchKey = (runId: string, seq: number) => `${runId}\u0000${seq}`;

function batchesOf(p: ProgramData, runId: string): BatchRow[] {
  const prefix = `${runId}\u0000`;
  const out: BatchRow[] = [];
  for (const [key, b] of p.batches) if (key.startsWith(prefix)) out.push(b);
  return out;
}

function toBatch(b: BatchRow): RunBatch {
  return { seq: b.seq, fromId: b.fromId, toId: b.toId, attempts: b.attempts };
}

export function memoryRuns(state: MemoryState, programId: string, unit: UnitRunner): RunRepository {
  const data = () => state.program(programId);
  const runBatches = (runId: string) => batchesOf(data(), runId);
  const doneCount = (runId: string) =>
    runBatches(runId)
      .filter((b) => b.state === 'done')
      .reduce((n, b) => n + b.processed, 0);
  /** The run as callers see it: a running run's progress is its done batches' sum. */
  const view = (row: RunRow): RunRecord => {
    const r = row.record;
    const finished = r.state === 'done' || r.state === 'failed';
    return copy({ ...r, processed: finished ? r.processed : doneCount(r.id) });
  };
  const row = (runId: string): RunRow | undefined => state.maybe(programId)?.runs.get(runId);
  const setRun = (tx: MemoryTx | null, next: RunRow) => put(tx, data().runs, next.record.id, next);
  const close = (
    tx: MemoryTx | null,
    runId: string,
    st: 'done' | 'failed',
    error: string | null,
  ): RunRecord => {
    const r = row(runId);
    if (!r) throw new Error(`run ${runId} not found`);
    const done = doneCount(runId);
    const next: RunRow = {
      ...r,
      record: {
        ...r.record,
        state: st,
        error,
        finishedAt: new Date(state.now()),
        processed: done,
        total: st === 'done' ? done : r.record.total,
      },
    };
    setRun(tx, next);
    return view(next);
  };
  /** When anything last happened to the run (created, started, a batch claimed or committed). */
  const activeAt = (r: RunRow): number =>
    Math.max(
      r.record.createdAt.getTime(),
      r.record.startedAt?.getTime() ?? 0,
      ...runBatches(r.record.id).map((b) => Math.max(b.claimedAt, b.doneAt ?? 0)),
    );
  const unfinished = () =>
    [...(state.maybe(programId)?.runs.values() ?? [])]
      .filter((r) => r.record.state === 'pending' || r.record.state === 'running')
      .sort((a, b) => a.record.createdAt.getTime() - b.record.createdAt.getTime() || a.order - b.order);

  return {
    async create(run) {
      const p = data();
      const existing = p.runKeys.get(run.key);
      const found = existing === undefined ? undefined : p.runs.get(existing);
      if (found) return { run: view(found), created: false };
      if (p.runs.has(run.id)) throw new Error(`run ${run.id} exists`);
      let total = 0;
      for (const c of p.customers.values())
        if (c.createdAt.getTime() < run.customersCreatedBefore.getTime()) total++;
      const created: RunRow = {
        record: {
          id: run.id,
          kind: run.kind,
          key: run.key,
          asOf: new Date(run.asOf),
          customersCreatedBefore: new Date(run.customersCreatedBefore),
          state: 'pending',
          total,
          processed: 0,
          error: null,
          createdAt: new Date(state.now()),
          startedAt: null,
          finishedAt: null,
        },
        cursor: '',
        exhausted: false,
        batches: 0,
        order: state.runOrder.next(),
      };
      p.runs.set(run.id, created);
      p.runKeys.set(run.key, run.id);
      return { run: view(created), created: true };
    },
    async get(id) {
      const r = row(id);
      return r ? view(r) : null;
    },
    async list(query) {
      const runs = [...(state.maybe(programId)?.runs.values() ?? [])]
        .map((r) => r.record)
        .filter(
          (r) =>
            (query.from === undefined || r.asOf.getTime() >= query.from.getTime()) &&
            (query.to === undefined || r.asOf.getTime() < query.to.getTime()) &&
            (query.kinds === undefined || query.kinds.includes(r.kind)) &&
            (query.after === undefined ||
              r.asOf.getTime() < query.after.asOf.getTime() ||
              (r.asOf.getTime() === query.after.asOf.getTime() && r.id < query.after.id)),
        )
        .sort((a, b) => b.asOf.getTime() - a.asOf.getTime() || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0))
        .slice(0, query.limit);
      return runs.map((r): RunSummary => {
        const done = runBatches(r.id).filter((b) => b.state === 'done');
        const stored = row(r.id);
        return {
          ...(stored ? view(stored) : copy(r)),
          movedUp: done.reduce((n, b) => n + b.movedUp, 0),
          movedDown: done.reduce((n, b) => n + b.movedDown, 0),
          warned: done.reduce((n, b) => n + b.warned, 0),
        };
      });
    },
    async listUnfinished() {
      return unfinished().map(view);
    },
    async listOrphaned(idleMs) {
      const now = state.now();
      return unfinished()
        .filter((r) => {
          const claimed = runBatches(r.record.id).filter((b) => b.state === 'claimed');
          if (claimed.some((b) => b.leaseUntil >= now)) return false;
          return claimed.length > 0 || activeAt(r) < now - idleMs;
        })
        .map(view);
    },
    // One synchronous step: claims of one run never interleave, so ranges never overlap.
    async claim(runId, opts): Promise<ClaimResult | null> {
      const r = row(runId);
      if (!r) return null;
      if (r.record.state === 'done' || r.record.state === 'failed') return { type: 'finished', run: view(r) };
      const p = data();
      const now = state.now();
      const expired = runBatches(runId)
        .filter((b) => b.state === 'claimed' && b.leaseUntil < now)
        .sort((a, b) => a.seq - b.seq)[0];
      if (expired) {
        const taken: BatchRow = {
          ...expired,
          worker: opts.worker,
          leaseUntil: now + opts.leaseMs,
          attempts: expired.attempts + 1,
          claimedAt: now,
        };
        p.batches.set(batchKey(runId, taken.seq), taken);
        return { type: 'batch', batch: toBatch(taken) };
      }
      if (!r.exhausted) {
        const ids = [...p.customers.keys()].filter((id) => id > r.cursor).sort();
        const range = ids.slice(0, opts.batchSize);
        const last = range.at(-1);
        const next: RunRow = {
          ...r,
          cursor: last ?? r.cursor,
          exhausted: range.length < opts.batchSize,
          batches: r.batches + (last === undefined ? 0 : 1),
          record: { ...r.record, state: 'running', startedAt: r.record.startedAt ?? new Date(now) },
        };
        p.runs.set(runId, next);
        if (last !== undefined) {
          const batch: BatchRow = {
            seq: r.batches,
            fromId: r.cursor,
            toId: last,
            attempts: 1,
            failures: 0,
            state: 'claimed',
            leaseUntil: now + opts.leaseMs,
            worker: opts.worker,
            claimedAt: now,
            doneAt: null,
            error: null,
            processed: 0,
            movedUp: 0,
            movedDown: 0,
            warned: 0,
          };
          p.batches.set(batchKey(runId, batch.seq), batch);
          return { type: 'batch', batch: toBatch(batch) };
        }
      }
      const open = runBatches(runId).filter((b) => b.state === 'claimed');
      if (open.length > 0) {
        const soonest = Math.min(...open.map((b) => b.leaseUntil));
        return { type: 'wait', retryInMs: Math.max(0, Math.ceil(soonest - now)) };
      }
      return { type: 'finished', run: close(null, runId, 'done', null) };
    },
    process(runId, batch, work): Promise<BatchResult> {
      return unit(async (tx) => {
        // The batch's lock: a second worker with the same batch waits, then finds it done.
        await tx.lock(`batch\u0000${programId}\u0000${runId}\u0000${batch.seq}`);
        const p = data();
        const r = row(runId);
        const found = p.batches.get(batchKey(runId, batch.seq));
        if (!r || !found || found.fromId !== batch.fromId || found.toId !== batch.toId)
          throw new Error(`batch ${batch.seq} of run ${runId} not found`);
        if (found.state === 'done') return { skipped: true, processed: 0, run: view(r) };
        const before = r.record.customersCreatedBefore.getTime();
        const closes = work.closesCycleAt?.getTime() ?? null;
        const inRange = () =>
          [...p.customers.values()]
            .filter(
              (c) =>
                c.id > batch.fromId &&
                c.id <= batch.toId &&
                c.createdAt.getTime() < before &&
                (closes === null || c.carrySince.getTime() < closes),
            )
            .sort((a, b) => (a.id < b.id ? -1 : 1));
        // Locked in id order (as events lock one customer each, no cycle of waits), then read.
        for (const c of inRange()) await writeLock(tx, ...customerLock(programId, c.id));
        const { windows, withOrders, asOf } = work.orders;
        const orders = [...p.orders.values()].filter(
          (o) => withOrders && o.placedAt.getTime() <= asOf.getTime(),
        );
        const customers = inRange().map((c): BatchCustomer => {
          const mine = orders.filter((o) => o.customerId === c.id);
          const net = (o: (typeof mine)[number]) => o.amount - o.refundedAmount;
          return copy({
            id: c.id,
            email: c.email,
            tags: c.tags,
            segments: c.segments,
            tierId: c.tierId,
            tierTags: c.tierTags,
            tierSince: c.tierSince,
            lastChangeReason: c.lastChangeReason,
            bonusedTierIds: c.bonusedTierIds,
            lastEarnedAt: c.lastEarnedAt,
            balances: c.balances,
            orders: {
              windowSpend: Object.fromEntries(
                windows.map((w) => [
                  w.key,
                  mine.filter((o) => o.placedAt.getTime() > w.from.getTime()).reduce((s, o) => s + net(o), 0),
                ]),
              ),
              largestOrder: mine.reduce((m, o) => Math.max(m, net(o)), 0),
            },
          });
        });
        const outcomes = work.evaluate(customers);
        for (const o of outcomes) storeOutcome(state, tx, programId, o);
        await work.beforeCommit?.(batch);
        const moved = (direction: 'up' | 'down') =>
          outcomes.filter((o) => o.change?.direction === direction).length;
        put(tx, p.batches, batchKey(runId, batch.seq), {
          ...found,
          state: 'done',
          doneAt: state.now(),
          processed: customers.length,
          error: null,
          movedUp: moved('up'),
          movedDown: moved('down'),
          warned: outcomes.reduce(
            (n, o) => n + o.events.filter((e) => e.type === 'tier.downgrade_warning').length,
            0,
          ),
        });
        return { skipped: false, processed: customers.length, run: view(r) };
      });
    },
    async release(runId, seq, error, maxAttempts, counted = true) {
      const r = row(runId);
      if (!r) throw new Error(`run ${runId} not found`);
      const p = data();
      const b = p.batches.get(batchKey(runId, seq));
      let failures = 0;
      if (b && b.state === 'claimed') {
        failures = b.failures + (counted ? 1 : 0);
        p.batches.set(batchKey(runId, seq), { ...b, leaseUntil: state.now() - 1, error, failures });
      }
      if (failures >= maxAttempts && r.record.state !== 'done' && r.record.state !== 'failed')
        return close(null, runId, 'failed', `batch ${seq} failed ${failures} times: ${error}`);
      return view(r);
    },
    async finish(runId, st, error) {
      const r = row(runId);
      if (!r) throw new Error(`run ${runId} not found`);
      if (r.record.state === 'done' || r.record.state === 'failed') return view(r);
      return close(null, runId, st, error);
    },
  };
}
