import type { ProgramScope } from '../../src/store/port.js';
import { at, newCustomer, newProgram, type StoreRef, T0, uid } from './contract-fixtures.js';

/** Pass repository: one identity per customer (also under concurrency), update tags, tenancy. */
export function passContract(store: StoreRef): void {
  describe('passes', () => {
    let scope: ProgramScope;
    let customer: string;
    const candidate = () => ({ serial: `${scope.programId}.${uid('s')}`, authTokenHash: uid('token-hash') });
    beforeEach(async () => {
      scope = await newProgram(store());
      customer = await newCustomer(scope);
    });

    it('creates the identity once; later candidates and concurrent callers get the stored one', async () => {
      expect(await scope.passes.get(customer)).toBeNull();
      const results = await Promise.all(
        [1, 2, 3, 4].map(() => scope.passes.ensure(customer, candidate(), T0)),
      );
      const first = results[0];
      expect(first).toMatchObject({ customerId: customer, updateTag: null, updatedAt: T0, createdAt: T0 });
      for (const r of results) expect(r).toEqual(first);
      expect(await scope.passes.ensure(customer, candidate(), at(5))).toEqual(first);
      expect(await scope.passes.get(customer)).toEqual(first);
      expect(await scope.passes.getBySerial(first?.serial ?? '')).toEqual(first);
    });

    it('moves updatedAt only when the tag changes, and lists passes updated since', async () => {
      const p = await scope.passes.ensure(customer, candidate(), T0);
      expect(await scope.passes.setUpdateTag(customer, 'a', at(1))).toMatchObject({
        updateTag: 'a',
        updatedAt: at(1),
      });
      expect(await scope.passes.setUpdateTag(customer, 'a', at(2))).toMatchObject({
        updateTag: 'a',
        updatedAt: at(1),
      });
      expect(await scope.passes.setUpdateTag(customer, 'b', at(3))).toMatchObject({
        updateTag: 'b',
        updatedAt: at(3),
      });
      expect(await scope.passes.setUpdateTag('nobody', 'b', at(3))).toBeNull();
      const other = await scope.passes.ensure(await newCustomer(scope), candidate(), at(4));
      const serials = [p.serial, other.serial, 'unknown'];
      expect((await scope.passes.updatedSince(serials, null)).map((r) => r.serial)).toEqual([
        p.serial,
        other.serial,
      ]);
      const changed = await scope.passes.get(customer);
      expect(
        (await scope.passes.updatedSince(serials, changed?.changeSeq ?? 0)).map((r) => r.serial),
      ).toEqual([other.serial]);
      expect(await scope.passes.updatedSince(serials, other.changeSeq)).toEqual([]);
    });

    it('numbers every change in one growing counter that updatedSince compares, whatever updatedAt says', async () => {
      const a = await scope.passes.ensure(customer, candidate(), T0);
      const b = await scope.passes.ensure(await newCustomer(scope), candidate(), T0);
      expect(b.changeSeq).toBeGreaterThan(a.changeSeq);
      // B changes twice within a second: its updatedAt is pushed a second past the clock.
      const b1 = await scope.passes.setUpdateTag(b.customerId, 'b1', at(1));
      const b2 = await scope.passes.setUpdateTag(b.customerId, 'b2', at(1));
      expect(b2?.updatedAt.getTime()).toBe(at(1).getTime() + 1000);
      expect(b1?.changeSeq).toBeGreaterThan(b.changeSeq);
      expect(b2?.changeSeq).toBeGreaterThan(b1?.changeSeq ?? Infinity);
      // Unchanged tag: neither updatedAt nor changeSeq moves.
      expect(await scope.passes.setUpdateTag(b.customerId, 'b2', at(2))).toEqual(b2);
      const tag = b2?.changeSeq ?? 0;
      const serials = [a.serial, b.serial];
      expect(await scope.passes.updatedSince(serials, tag)).toEqual([]);

      // A then changes at a clock time below B's updatedAt: still after the tag.
      const a1 = await scope.passes.setUpdateTag(customer, 'a1', new Date(at(1).getTime() + 500));
      expect(a1?.updatedAt.getTime()).toBeLessThan(b2?.updatedAt.getTime() ?? 0);
      expect(a1?.changeSeq).toBeGreaterThan(tag);
      expect(await scope.passes.updatedSince(serials, tag)).toEqual([a1]);

      // The batch write numbers each pass it changes, and skips the unchanged one.
      const batch = await scope.passes.setUpdateTags(
        [
          { customerId: customer, tag: 'a2' },
          { customerId: b.customerId, tag: 'b2' },
        ],
        at(1),
      );
      expect(batch.map((r) => r.customerId)).toEqual([customer]);
      expect(batch[0]?.changeSeq).toBeGreaterThan(a1?.changeSeq ?? Infinity);
      expect(await scope.passes.updatedSince(serials, a1?.changeSeq ?? 0)).toEqual(batch);
      expect((await scope.passes.updatedSince(serials, null)).map((r) => r.serial)).toEqual([
        b.serial,
        a.serial,
      ]);
    });

    it('keeps programs apart', async () => {
      const p = await scope.passes.ensure(customer, candidate(), T0);
      const otherScope = await newProgram(store());
      expect(await otherScope.passes.getBySerial(p.serial)).toBeNull();
      expect(await otherScope.passes.get(customer)).toBeNull();
      expect(await otherScope.passes.updatedSince([p.serial], null)).toEqual([]);
    });
  });
}
