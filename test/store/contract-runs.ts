import type { OutcomeToStore } from '../../src/store/outcome-port.js';
import type { ProgramScope } from '../../src/store/port.js';
import type {
  BatchCustomer,
  BatchWork,
  ClaimOptions,
  ClaimResult,
  RunBatch,
  RunRecord,
} from '../../src/store/recalculation-port.js';
import {
  appendEntries,
  at,
  entry,
  newCustomer,
  newProgram,
  outcome,
  type StoreRef,
  T0,
  tierInput,
  uid,
} from './contract-fixtures.js';

/** Real time passing: leases and idle times are judged in database time. */
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` (every 50 ms, for up to 20 s) until `done` holds; returns the last value. */
async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await probe();
  for (let i = 0; i < 400 && !done(value); i++) {
    await pause(50);
    value = await probe();
  }
  return value;
}

const LONG: ClaimOptions = { batchSize: 100, leaseMs: 600_000, worker: 'w-long' };

function batchOf(result: ClaimResult | null): RunBatch {
  if (result?.type !== 'batch') throw new Error(`a batch expected, got ${JSON.stringify(result)}`);
  return result.batch;
}

/** A new run of `scope` over the customers created before `before` (default at(5)). */
async function newRun(scope: ProgramScope, before = at(5)): Promise<RunRecord> {
  const { run } = await scope.runs.create({
    id: uid('run'),
    kind: 'cycle',
    key: uid('key'),
    asOf: before,
    customersCreatedBefore: before,
  });
  return run;
}

/**
 * Recalculation runs (SPEC 4): one run per key, ranges of customers handed out under leases,
 * expired leases taken over, failures counted, runs finished; orphans judged in database time.
 */
export function runContract(store: StoreRef): void {
  describe('recalculation runs', () => {
    let scope: ProgramScope;
    beforeEach(async () => {
      scope = await newProgram(store());
    });

    it('creates one run per key, also concurrently, counting the customers created before its instant', async () => {
      for (const id of ['c1', 'c2', 'c3']) await newCustomer(scope, id);
      await scope.transaction((tx) => tx.customers.upsert('late', {}, at(10)));
      const key = uid('key');
      const made = await Promise.all(
        [1, 2, 3, 4, 5].map(() =>
          scope.runs.create({
            id: uid('run'),
            kind: 'daily',
            key,
            asOf: at(5),
            customersCreatedBefore: at(5),
          }),
        ),
      );
      expect(made.filter((m) => m.created)).toHaveLength(1);
      const run = made.find((m) => m.created)?.run;
      for (const m of made) expect(m.run).toEqual(run);
      expect(run).toEqual({
        id: expect.any(String),
        kind: 'daily',
        key,
        asOf: at(5),
        customersCreatedBefore: at(5),
        state: 'pending',
        total: 3,
        processed: 0,
        error: null,
        createdAt: expect.any(Date),
        startedAt: null,
        finishedAt: null,
      });
      expect(await scope.runs.get(run?.id ?? '')).toEqual(run);
      expect(await scope.runs.get('nope')).toBeNull();
      // Keys and runs are per program.
      const other = await newProgram(store());
      expect(await other.runs.get(run?.id ?? '')).toBeNull();
      const theirs = await other.runs.create({
        id: uid('run'),
        kind: 'daily',
        key,
        asOf: at(5),
        customersCreatedBefore: at(5),
      });
      expect(theirs).toMatchObject({ created: true, run: { total: 0 } });
    });

    it('hands out ranges covering every customer exactly once, also to concurrent claims; a live lease makes others wait', async () => {
      const ids = ['c1', 'c2', 'c3', 'c4', 'c5'];
      for (const id of ids) await newCustomer(scope, id);
      const run = await newRun(scope);
      expect(await scope.runs.claim('nope', LONG)).toBeNull();
      const claims = await Promise.all(
        [1, 2, 3].map((i) => scope.runs.claim(run.id, { ...LONG, batchSize: 2, worker: `w${i}` })),
      );
      const batches = claims.map(batchOf).sort((a, b) => a.seq - b.seq);
      expect(batches.map((b) => [b.seq, b.attempts])).toEqual([
        [0, 1],
        [1, 1],
        [2, 1],
      ]);
      expect(batches[0]?.fromId).toBe('');
      for (const id of ids) {
        expect(batches.filter((b) => b.fromId < id && id <= b.toId)).toHaveLength(1);
      }
      // Every range is held: the next claimer waits (no new range, no takeover).
      const waiting = await scope.runs.claim(run.id, { ...LONG, batchSize: 2, worker: 'w4' });
      expect(waiting).toEqual({ type: 'wait', retryInMs: expect.any(Number) });
      if (waiting?.type === 'wait') expect(waiting.retryInMs).toBeGreaterThan(0);
      expect(await scope.runs.get(run.id)).toMatchObject({ state: 'running', startedAt: expect.any(Date) });
    });

    it('takes an expired lease over and counts the claim as an attempt', async () => {
      await newCustomer(scope, 'c1');
      await newCustomer(scope, 'c2');
      const run = await newRun(scope);
      const first = batchOf(await scope.runs.claim(run.id, { ...LONG, leaseMs: 1, worker: 'dies' }));
      expect(first).toEqual({ seq: 0, fromId: '', toId: 'c2', attempts: 1 });
      const taken = await pollUntil(
        () => scope.runs.claim(run.id, { ...LONG, worker: 'next' }),
        (r) => r?.type !== 'wait',
      );
      expect(batchOf(taken)).toEqual({ ...first, attempts: 2 });
      // Now held for long: nobody else takes it.
      expect((await scope.runs.claim(run.id, LONG))?.type).toBe('wait');
    });

    it('gives a released batch back at once; counted failures fail the run at maxAttempts, uncounted ones never', async () => {
      await newCustomer(scope, 'c1');
      const run = await newRun(scope);
      let batch = batchOf(await scope.runs.claim(run.id, LONG));
      // Lost connection: not counted, even with maxAttempts 1.
      expect(await scope.runs.release(run.id, batch.seq, 'connection lost', 1, false)).toMatchObject({
        state: 'running',
        error: null,
      });
      batch = batchOf(await scope.runs.claim(run.id, LONG));
      expect(batch).toMatchObject({ seq: 0, attempts: 2 });
      expect(await scope.runs.release(run.id, batch.seq, 'boom 1', 2)).toMatchObject({ state: 'running' });
      batch = batchOf(await scope.runs.claim(run.id, LONG));
      expect(batch).toMatchObject({ seq: 0, attempts: 3 });
      const failed = await scope.runs.release(run.id, batch.seq, 'boom 2', 2);
      expect(failed).toMatchObject({ id: run.id, state: 'failed', finishedAt: expect.any(Date) });
      expect(failed.error).toContain('boom 2');
      expect(await scope.runs.claim(run.id, LONG)).toEqual({ type: 'finished', run: failed });
      expect(await scope.runs.listUnfinished()).toEqual([]);
    });

    it('finishes a run that needs no batches, and a finished run stays as it ended', async () => {
      const empty = await newRun(scope);
      // No customers at all: the first claim closes the run.
      const closed = await scope.runs.claim(empty.id, LONG);
      expect(closed).toEqual({
        type: 'finished',
        run: expect.objectContaining({ id: empty.id, state: 'done', total: 0, processed: 0 }),
      });
      await newCustomer(scope, 'c1');
      const done = await scope.runs.finish((await newRun(scope)).id, 'done', null);
      expect(done).toMatchObject({ state: 'done', error: null, processed: 0, total: 0 });
      expect(done.finishedAt).toBeInstanceOf(Date);
      expect(await scope.runs.finish(done.id, 'failed', 'too late')).toEqual(done);
      const stopped = await scope.runs.finish((await newRun(scope)).id, 'failed', 'stopped');
      expect(stopped).toMatchObject({ state: 'failed', error: 'stopped', total: 1 });
      expect(await scope.runs.claim(stopped.id, LONG)).toEqual({ type: 'finished', run: stopped });
      expect(await scope.runs.get(stopped.id)).toEqual(stopped);
    });

    it('lists unfinished runs oldest first', async () => {
      await newCustomer(scope, 'c1');
      const a = await newRun(scope);
      const b = await newRun(scope);
      const c = await newRun(scope);
      await scope.runs.finish(b.id, 'done', null);
      batchOf(await scope.runs.claim(c.id, LONG));
      expect((await scope.runs.listUnfinished()).map((r) => [r.id, r.state])).toEqual([
        [a.id, 'pending'],
        [c.id, 'running'],
      ]);
      expect(await (await newProgram(store())).runs.listUnfinished()).toEqual([]);
    });

    it('lists as orphaned, in database time, the unfinished runs no live lease holds', async () => {
      await newCustomer(scope, 'c1');
      const idle = await newRun(scope);
      const held = await newRun(scope);
      const dead = await newRun(scope);
      const finished = await newRun(scope);
      batchOf(await scope.runs.claim(held.id, LONG));
      batchOf(await scope.runs.claim(dead.id, { ...LONG, leaseMs: 1 }));
      await scope.runs.finish(finished.id, 'done', null);
      const ids = (runs: RunRecord[]) => runs.map((r) => r.id);
      // Idle for an hour? None yet; but the dead worker's lease ends within a moment.
      const orphans = await pollUntil(
        () => scope.runs.listOrphaned(3_600_000),
        (runs) => runs.length > 0,
      );
      expect(ids(orphans)).toEqual([dead.id]);
      // Idle for 1 ms: the never-claimed run too, oldest first; never the held or finished one.
      const idleToo = await pollUntil(
        () => scope.runs.listOrphaned(1),
        (runs) => runs.length > 1,
      );
      expect(ids(idleToo)).toEqual([idle.id, dead.id]);
    });
  });

  describe('recalculation runs: processing a batch (BatchWork)', () => {
    // BatchWork.evaluate returns decided outcomes (outcome-port.ts); the store stores them as given.
    let scope: ProgramScope;
    let gold: string;
    const noOutcomes = (): OutcomeToStore[] => [];
    const work = (overrides: Partial<BatchWork> = {}): BatchWork => ({
      orders: { windows: [], asOf: at(5), withOrders: false },
      closesCycleAt: null,
      evaluate: noOutcomes,
      ...overrides,
    });
    /**
     * c1 moves up to gold with a 50-point bonus; c2 is warned. At a boundary (`close`: the carry
     * reset key prefix) every customer's cycle closes at 5 minutes, with a carry_reset entry
     * where there is carry.
     */
    const decide =
      (close: string | null = null) =>
      (customers: BatchCustomer[]): OutcomeToStore[] =>
        customers.map((c) => {
          const o = outcome(c.id, { at: at(5) });
          const carry = close ? 0 : c.balances.carry;
          if (c.id === 'c1') {
            o.placement = {
              tierId: gold,
              tierTags: ['gold'],
              tierSince: at(5),
              lastChangeReason: 'qualified',
              bonusedTierIds: [gold],
            };
            o.change = {
              customerId: c.id,
              fromTierId: null,
              toTierId: gold,
              direction: 'up',
              reason: 'qualified',
              facts: { points: c.balances.lifetimeEarned },
              at: at(5),
            };
            o.entries.push(
              entry(
                `bonus:${gold}:${c.id}`,
                { current: 50, lifetimeEarned: 50 },
                { type: 'bonus', at: at(5) },
              ),
            );
            const balances = { current: c.balances.current + 50, carry };
            o.events.push({
              customerId: c.id,
              type: 'tier.upgraded',
              data: { tierId: gold, balances },
              at: at(5),
            });
          }
          if (c.id === 'c2') {
            o.events.push({ customerId: c.id, type: 'tier.downgrade_warning', data: {}, at: at(5) });
          }
          if (close) {
            if (c.balances.carry > 0) {
              o.entries.push(
                entry(`${close}${c.id}`, { carry: -c.balances.carry }, { type: 'carry_reset', at: at(5) }),
              );
            }
            o.cycleClosedAt = at(5);
          }
          return o;
        });
    let subscriptionId: string;
    beforeEach(async () => {
      scope = await newProgram(store());
      gold = (await scope.transaction((tx) => tx.tiers.create(uid('gold'), tierInput('Gold'), T0))).id;
      subscriptionId = uid('wh');
      await scope.webhooks.create({
        id: subscriptionId,
        url: 'https://example.com/hook',
        events: ['tier.upgraded', 'tier.downgrade_warning'],
        format: 'standard',
        secret: uid('secret'),
        now: T0,
      });
      for (const id of ['c1', 'c2', 'c3']) await newCustomer(scope, id);
      await scope.transaction((tx) =>
        appendEntries(tx, 'c1', [entry('seed', { current: 100, carry: 100, lifetimeEarned: 100 })]),
      );
      // Created after the run's instant: in the range, yet not the run's.
      await scope.transaction((tx) => tx.customers.upsert('c4', {}, at(10)));
    });
    /** A boundary run's work: outcomes that close every customer's cycle; closed customers are left out. */
    const boundary = (run: RunRecord): Partial<BatchWork> => ({
      closesCycleAt: at(5),
      evaluate: decide(`reset:${run.id}:`),
    });

    it('writes what the evaluation decided and the carry reset, marks the batch done and sums the counts', async () => {
      const run = await newRun(scope);
      expect(run.total).toBe(3);
      const batch = batchOf(await scope.runs.claim(run.id, LONG));
      let seen: BatchCustomer[] = [];
      const result = await scope.runs.process(
        run.id,
        batch,
        work({
          ...boundary(run),
          evaluate: (customers) => {
            seen = customers;
            return decide(`reset:${run.id}:`)(customers);
          },
        }),
      );
      expect(seen.map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
      expect(seen[0]).toMatchObject({ tierId: null, balances: { current: 100, carry: 100 } });
      expect(result).toMatchObject({ skipped: false, processed: 3, run: { id: run.id, processed: 3 } });

      const c1 = await scope.customers.get('c1');
      expect(c1).toMatchObject({
        tierId: gold,
        tierTags: ['gold'],
        tierSince: at(5),
        lastChangeReason: 'qualified',
        bonusedTierIds: [gold],
        balances: { current: 150, carry: 0, lifetimeEarned: 150, lifetimeSpend: 0 },
        carrySince: at(5),
      });
      for (const id of ['c1', 'c2', 'c3', 'c4']) {
        expect(await scope.ledger.sum(id)).toEqual((await scope.customers.get(id))?.balances);
      }
      const keys = (await scope.ledger.list('c1', { limit: 10 })).items.map((e) => [e.type, e.key]);
      expect(keys).toEqual(
        expect.arrayContaining([
          ['bonus', `bonus:${gold}:c1`],
          ['carry_reset', `reset:${run.id}:c1`],
        ]),
      );
      // Customers without carry get no entry, yet their cycle closes too; c4 is not the run's.
      expect((await scope.ledger.list('c2', { limit: 10 })).items).toEqual([]);
      expect((await scope.customers.get('c2'))?.carrySince).toEqual(at(5));
      expect((await scope.customers.get('c4'))?.carrySince).toEqual(at(10));
      expect((await scope.tierChanges.list('c1', { limit: 10 })).items).toEqual([
        expect.objectContaining({ toTierId: gold, direction: 'up', reason: 'qualified', at: at(5) }),
      ]);
      // Events are stored as the evaluation gave them.
      const claimed = await store().webhookDeliveries.claim({
        limit: 10,
        leaseMs: 60_000,
        now: at(60),
        programId: scope.programId,
      });
      expect(claimed.map((d) => [d.customerId, d.event.type]).sort()).toEqual([
        ['c1', 'tier.upgraded'],
        ['c2', 'tier.downgrade_warning'],
      ]);
      expect(claimed.find((d) => d.customerId === 'c1')?.event.data).toMatchObject({
        tierId: gold,
        balances: { current: 150, carry: 0 },
      });

      const finished = await scope.runs.claim(run.id, LONG);
      expect(finished).toEqual({
        type: 'finished',
        run: expect.objectContaining({ state: 'done', total: 3, processed: 3 }),
      });
      expect(await scope.runs.list({ limit: 10 })).toEqual([
        expect.objectContaining({ id: run.id, movedUp: 1, movedDown: 0, warned: 1, processed: 3 }),
      ]);
    });

    it('rolls everything back when the batch fails before commit; the batch can be processed again', async () => {
      const run = await newRun(scope);
      const batch = batchOf(await scope.runs.claim(run.id, LONG));
      const before = await Promise.all(['c1', 'c2', 'c3'].map((id) => scope.customers.get(id)));
      await expect(
        scope.runs.process(
          run.id,
          batch,
          work({
            ...boundary(run),
            beforeCommit: async () => {
              throw new Error('worker crashed');
            },
          }),
        ),
      ).rejects.toThrow('worker crashed');
      expect(await Promise.all(['c1', 'c2', 'c3'].map((id) => scope.customers.get(id)))).toEqual(before);
      expect((await scope.ledger.list('c1', { limit: 10 })).items.map((e) => e.key)).toEqual(['seed']);
      expect((await scope.tierChanges.list('c1', { limit: 10 })).items).toEqual([]);
      expect((await scope.webhooks.deliveries(subscriptionId, { limit: 10 })).items).toEqual([]);
      expect(await scope.runs.get(run.id)).toMatchObject({ state: 'running', processed: 0 });
      expect((await scope.runs.list({ limit: 10 }))[0]).toMatchObject({ movedUp: 0, warned: 0 });

      const again = await scope.runs.process(run.id, batch, work(boundary(run)));
      expect(again).toMatchObject({ skipped: false, processed: 3 });
      expect((await scope.customers.get('c1'))?.balances).toEqual(await scope.ledger.sum('c1'));
      expect((await scope.webhooks.deliveries(subscriptionId, { limit: 10 })).items).toHaveLength(2);
    });

    it('skips a batch that is done, also when two workers process it at once', async () => {
      const run = await newRun(scope);
      const batch = batchOf(await scope.runs.claim(run.id, LONG));
      let evaluations = 0;
      const counting = work({
        ...boundary(run),
        evaluate: (customers) => {
          evaluations += 1;
          return decide(`reset:${run.id}:`)(customers);
        },
      });
      const both = await Promise.all([
        scope.runs.process(run.id, batch, counting),
        scope.runs.process(run.id, batch, counting),
      ]);
      expect(both.map((r) => r.skipped).sort()).toEqual([false, true]);
      expect(both.find((r) => r.skipped)).toMatchObject({ processed: 0 });
      const after = await scope.customers.get('c1');
      expect(after?.balances).toEqual({ current: 150, carry: 0, lifetimeEarned: 150, lifetimeSpend: 0 });
      expect(await scope.ledger.sum('c1')).toEqual(after?.balances);
      expect((await scope.tierChanges.list('c1', { limit: 10 })).items).toHaveLength(1);

      const evaluated = evaluations;
      expect(await scope.runs.process(run.id, batch, counting)).toMatchObject({
        skipped: true,
        processed: 0,
        run: { processed: 3 },
      });
      expect(evaluations).toBe(evaluated);
      expect(await scope.customers.get('c1')).toEqual(after);
    });

    it('reads each customer’s order facts at the run’s instant when asked', async () => {
      const run = await newRun(scope);
      await scope.transaction(async (tx) => {
        const o = (id: string, amount: number, placedAt: Date) => ({
          id,
          customerId: 'c1',
          amount,
          placedAt,
          earnedAt: placedAt,
          pointsAwarded: 0,
          requestHash: id,
          response: null,
        });
        await tx.orders.insert(o('old', 9_000, at(-2 * 24 * 60)));
        await tx.orders.insert(o('recent', 4_000, at(-60)));
        await tx.orders.insert(o('after', 50_000, at(6)));
        await tx.orders.updateRefunded('recent', 1_000, 0);
      });
      const batch = batchOf(await scope.runs.claim(run.id, LONG));
      let seen: BatchCustomer[] = [];
      await scope.runs.process(
        run.id,
        batch,
        work({
          orders: { windows: [{ key: 'P1D', from: at(-24 * 60) }], asOf: at(5), withOrders: true },
          evaluate: (customers) => {
            seen = customers;
            return noOutcomes();
          },
        }),
      );
      expect(seen.map((c) => [c.id, c.orders])).toEqual([
        ['c1', { windowSpend: { P1D: 3_000 }, largestOrder: 9_000 }],
        ['c2', { windowSpend: { P1D: 0 }, largestOrder: 0 }],
        ['c3', { windowSpend: { P1D: 0 }, largestOrder: 0 }],
      ]);
    });
  });
}
