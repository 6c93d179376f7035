import type { RunKind } from '../../src/store/recalculation-port.js';
import { at, newProgram, type StoreRef, uid } from './contract-fixtures.js';

/**
 * The operations read models (docs/decisions/0033): the runs listing's order, filters and keyset
 * cursor, and APNs outcome counts per program hour within a window.
 */
export function operationsContract(store: StoreRef): void {
  describe('operations read models', () => {
    it('lists runs newest due time first, filtered by time and kind, after a cursor', async () => {
      const scope = await newProgram(store());
      const other = await newProgram(store());
      const made: { id: string; kind: RunKind; asOf: Date }[] = [];
      for (const [kind, minutes] of [
        ['daily', 0],
        ['cycle', 60],
        ['daily', 60],
        ['warning', 120],
      ] as const) {
        const { run } = await scope.runs.create({
          id: uid('run'),
          kind,
          key: uid('key'),
          asOf: at(minutes),
          customersCreatedBefore: at(minutes),
        });
        await scope.runs.finish(run.id, 'done', null);
        made.push({ id: run.id, kind, asOf: at(minutes) });
      }
      await other.runs.create({
        id: uid('run'),
        kind: 'cycle',
        key: uid('key'),
        asOf: at(60),
        customersCreatedBefore: at(60),
      });
      const newestFirst = [...made].sort(
        (a, b) => b.asOf.getTime() - a.asOf.getTime() || (b.id > a.id ? 1 : -1),
      );

      const all = await scope.runs.list({ limit: 10 });
      expect(all.map((r) => r.id)).toEqual(newestFirst.map((r) => r.id));
      expect(all[0]).toMatchObject({ state: 'done', movedUp: 0, movedDown: 0, warned: 0 });

      const page = await scope.runs.list({ limit: 2 });
      const last = page.at(-1);
      if (!last) throw new Error('empty page');
      const rest = await scope.runs.list({ limit: 10, after: { asOf: last.asOf, id: last.id } });
      expect([...page, ...rest].map((r) => r.id)).toEqual(newestFirst.map((r) => r.id));

      const cycles = await scope.runs.list({ limit: 10, kinds: ['cycle', 'warning'] });
      expect(cycles.map((r) => r.kind).sort()).toEqual(['cycle', 'warning']);
      const window = await scope.runs.list({ limit: 10, from: at(60), to: at(120) });
      expect(window.map((r) => r.asOf.getTime())).toEqual([at(60).getTime(), at(60).getTime()]);
    });

    it('adds push outcomes to the hour of their time and reads them in a window', async () => {
      const scope = await newProgram(store());
      const other = await newProgram(store());
      await store().outbox.recordPushCounts(scope.programId, at(1), { sent: 3, failed: 1 });
      await store().outbox.recordPushCounts(scope.programId, at(2), { sent: 2, failed: 0 });
      await store().outbox.recordPushCounts(scope.programId, at(-24 * 60), { sent: 7, failed: 7 });
      await store().outbox.recordPushCounts(other.programId, at(1), { sent: 100, failed: 100 });
      const window = { since: at(-23 * 60), until: at(3) };
      expect((await scope.walletHealth.counts(window, 5)).pushes).toEqual({ sent: 5, failed: 1 });
      const wide = { since: at(-25 * 60), until: at(3) };
      expect((await scope.walletHealth.counts(wide, 5)).pushes).toEqual({ sent: 12, failed: 8 });
      expect(await scope.walletHealth.counts(window, 5)).toMatchObject({
        applePasses: 0,
        devices: 0,
        registrations: 0,
        googleObjects: { total: 0, synced: 0, pending: 0, failing: 0 },
        googleFailures: [],
      });
    });
  });
}
