import type { ProgramScope } from '../../src/store/port.js';
import { at, newCustomer, newProgram, type StoreRef, T0, tierInput } from './contract-fixtures.js';

async function ranks(scope: ProgramScope): Promise<Array<[string, number]>> {
  return (await scope.tiers.list()).map((t) => [t.id, t.rank]);
}

/** Tier repository: top-rank create, update, soft delete, atomic reorder. */
export function tierContract(store: StoreRef): void {
  describe('tiers', () => {
    let scope: ProgramScope;
    beforeEach(async () => {
      scope = await newProgram(store());
      await scope.transaction(async (tx) => {
        for (const id of ['bronze', 'silver', 'gold']) await tx.tiers.create(id, tierInput(id), T0);
      });
    });

    it('lists the tiers as they are now under a customer lock, after every kind of tier write', async () => {
      const customerId = await newCustomer(scope);
      // Read under a lock (the order path): adapters may answer from a cache of the tier list.
      const underLock = () =>
        scope.transaction(async (tx) => {
          await tx.customers.lock(customerId);
          return (await tx.tiers.list()).map((t) => `${t.id}:${t.rank}:${t.title}`);
        });
      expect(await underLock()).toEqual(['bronze:0:bronze', 'silver:1:silver', 'gold:2:gold']);
      expect(await underLock()).toEqual(['bronze:0:bronze', 'silver:1:silver', 'gold:2:gold']);
      await scope.transaction((tx) => tx.tiers.update('silver', tierInput('Silver+'), at(1)));
      expect(await underLock()).toEqual(['bronze:0:bronze', 'silver:1:Silver+', 'gold:2:gold']);
      await scope.transaction((tx) => tx.tiers.reorder(['gold', 'bronze', 'silver'], at(2)));
      expect(await underLock()).toEqual(['gold:0:gold', 'bronze:1:bronze', 'silver:2:Silver+']);
      await scope.transaction((tx) => tx.tiers.create('vip', tierInput('vip'), at(3)));
      expect(await underLock()).toEqual(['gold:0:gold', 'bronze:1:bronze', 'silver:2:Silver+', 'vip:3:vip']);
      await scope.transaction((tx) => tx.tiers.remove('bronze', at(4)));
      expect(await underLock()).toEqual(['gold:0:gold', 'silver:1:Silver+', 'vip:2:vip']);
      // A write and a read in one unit of work: the read sees the write.
      const inOne = await scope.transaction(async (tx) => {
        await tx.customers.lock(customerId);
        await tx.tiers.list();
        await tx.tiers.update('vip', tierInput('VIP'), at(5));
        return (await tx.tiers.list()).map((t) => t.title);
      });
      expect(inOne).toEqual(['gold', 'Silver+', 'VIP']);
    });

    it('hands out tier lists that cannot be changed by one caller for the next', async () => {
      const customerId = await newCustomer(scope);
      const first = await scope.transaction(async (tx) => {
        await tx.customers.lock(customerId);
        return tx.tiers.list();
      });
      try {
        (first[0] as { title: string }).title = 'changed';
        first.pop();
      } catch {
        // A frozen cached record refuses the change: that is fine too.
      }
      const second = await scope.transaction(async (tx) => {
        await tx.customers.lock(customerId);
        return tx.tiers.list();
      });
      expect(second.map((t) => t.title)).toEqual(['bronze', 'silver', 'gold']);
    });

    it('creates each tier at the top rank and lists lowest first', async () => {
      expect(await ranks(scope)).toEqual([
        ['bronze', 0],
        ['silver', 1],
        ['gold', 2],
      ]);
      const gold = await scope.tiers.get('gold');
      expect(gold).toEqual({ id: 'gold', rank: 2, ...tierInput('gold'), createdAt: T0, updatedAt: T0 });
    });

    it('round-trips maintain conditions and hidden/disabled flags', async () => {
      const input = tierInput('vip', {
        visible: false,
        enabled: false,
        icon: 'star',
        qualifications: [],
        maintain: [{ type: 'orderVolume', minAmount: 60000, window: 'P12M' }],
        benefits: { tag: 'vip', bonusPoints: 500 },
      });
      const created = await scope.transaction((tx) => tx.tiers.create('vip', input, at(1)));
      expect(created).toEqual({ id: 'vip', rank: 3, ...input, createdAt: at(1), updatedAt: at(1) });
    });

    it('updates merchant fields of a live tier and reports a missing one', async () => {
      const input = tierInput('Silver Plus', { benefits: { multiplier: 1.25 } });
      const updated = await scope.transaction((tx) => tx.tiers.update('silver', input, at(5)));
      expect(updated).toEqual({ id: 'silver', rank: 1, ...input, createdAt: T0, updatedAt: at(5) });
      expect(await scope.transaction((tx) => tx.tiers.update('nope', input, at(5)))).toBeNull();
    });

    it('soft-deletes: hidden from list and get, ranks closed up, second remove is false', async () => {
      expect(await scope.transaction((tx) => tx.tiers.remove('bronze', at(1)))).toBe(true);
      expect(await scope.tiers.get('bronze')).toBeNull();
      expect(await ranks(scope)).toEqual([
        ['silver', 0],
        ['gold', 1],
      ]);
      expect(await scope.transaction((tx) => tx.tiers.remove('bronze', at(2)))).toBe(false);
      expect(await scope.transaction((tx) => tx.tiers.update('bronze', tierInput('x'), at(2)))).toBeNull();
      await scope.transaction((tx) => tx.tiers.create('platinum', tierInput('platinum'), at(3)));
      expect(await ranks(scope)).toEqual([
        ['silver', 0],
        ['gold', 1],
        ['platinum', 2],
      ]);
    });

    it('reorders all tiers in one operation', async () => {
      await scope.transaction((tx) => tx.tiers.reorder(['gold', 'bronze', 'silver'], at(1)));
      expect(await ranks(scope)).toEqual([
        ['gold', 0],
        ['bronze', 1],
        ['silver', 2],
      ]);
      expect((await scope.tiers.get('gold'))?.updatedAt).toEqual(at(1));
    });

    it('rejects a reorder that does not list every live tier once, changing nothing', async () => {
      const before = await ranks(scope);
      for (const ids of [
        ['gold', 'silver'],
        ['gold', 'gold', 'silver'],
        ['gold', 'silver', 'bronze', 'x'],
        [],
      ]) {
        await expect(scope.tiers.reorder(ids, at(1))).rejects.toThrow();
      }
      await scope.transaction((tx) => tx.tiers.remove('bronze', at(1)));
      await expect(scope.tiers.reorder(['gold', 'silver', 'bronze'], at(2))).rejects.toThrow();
      expect(await ranks(scope)).toEqual(before.slice(1).map(([id, rank]) => [id, rank - 1]));
    });

    it('rolls a reorder back with its transaction', async () => {
      const before = await ranks(scope);
      await expect(
        scope.transaction(async (tx) => {
          await tx.tiers.reorder(['silver', 'gold', 'bronze'], at(1));
          expect((await tx.tiers.list()).map((t) => t.id)).toEqual(['silver', 'gold', 'bronze']);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await ranks(scope)).toEqual(before);
    });
  });
}
