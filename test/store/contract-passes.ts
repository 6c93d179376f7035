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
      expect((await scope.passes.updatedSince(serials, at(3))).map((r) => r.serial)).toEqual([other.serial]);
      expect(await scope.passes.updatedSince(serials, at(4))).toEqual([]);
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
