import type { NewArtworkSlot } from '../../src/store/artwork-port.js';
import type { ProgramScope } from '../../src/store/port.js';
import { at, newProgram, type StoreRef, T0, tierInput } from './contract-fixtures.js';

function slot(tierId: string, hash: string, bytes: number[]): NewArtworkSlot {
  return {
    tierId,
    slot: 'icon',
    hash,
    contentType: 'image/png',
    width: 100,
    height: 90,
    source: Buffer.from([9, 9]),
    variants: [
      { name: 'icon.png', width: 29, height: 29, bytes: bytes.length, data: Buffer.from(bytes) },
      { name: 'icon@2x.png', width: 58, height: 58, bytes: 1, data: Buffer.from([0]) },
    ],
  };
}

/** Artwork repository: slots replaced whole with their bytea variants, copies, generations, previews, tenancy. */
export function artworkContract(store: StoreRef): void {
  describe('artwork', () => {
    let scope: ProgramScope;
    beforeEach(async () => {
      scope = await newProgram(store());
      await scope.transaction(async (tx) => {
        for (const id of ['gold', 'vip']) await tx.tiers.create(id, tierInput(id), T0);
      });
    });

    it('stores a slot with its variants and replaces it whole', async () => {
      const stored = await scope.artwork.put(slot('gold', 'h1', [1, 2, 3]), T0, 0);
      expect(stored).toEqual({
        tierId: 'gold',
        slot: 'icon',
        hash: 'h1',
        contentType: 'image/png',
        width: 100,
        height: 90,
        variants: [
          { name: 'icon.png', width: 29, height: 29, bytes: 3 },
          { name: 'icon@2x.png', width: 58, height: 58, bytes: 1 },
        ],
        updatedAt: T0,
      });
      expect(await scope.artwork.get('gold', 'icon')).toEqual(stored);
      expect(await scope.artwork.get('gold', 'strip')).toBeNull();
      expect(await scope.artwork.get('vip', 'icon')).toBeNull();
      expect(await scope.artwork.variant('gold', 'icon', 'icon.png')).toEqual({
        hash: 'h1',
        data: Buffer.from([1, 2, 3]),
      });
      const next = slot('gold', 'h2', [4]);
      const replaced = { ...next, variants: next.variants.slice(0, 1) };
      await scope.artwork.put(replaced, at(1), 0);
      expect(await scope.artwork.variant('gold', 'icon', 'icon@2x.png')).toBeNull();
      expect(await scope.artwork.variants('gold')).toEqual([
        { slot: 'icon', name: 'icon.png', data: Buffer.from([4]) },
      ]);
      expect((await scope.artwork.list('gold')).map((s) => s.hash)).toEqual(['h2']);
    });

    it('lets two first uploads of a slot race: one wins whole, neither fails', async () => {
      await Promise.all([
        scope.artwork.put(slot('gold', 'a', [1]), T0, 0),
        scope.artwork.put(slot('gold', 'b', [2]), T0, 0),
      ]);
      const [winner] = await scope.artwork.list('gold');
      const icon = await scope.artwork.variant('gold', 'icon', 'icon.png');
      expect(icon).toEqual({ hash: winner?.hash, data: Buffer.from(winner?.hash === 'a' ? [1] : [2]) });
      expect(await scope.artwork.variants('gold')).toHaveLength(2);
    });

    it('finds a rendering by hash and copies it to another tier', async () => {
      await scope.artwork.put(slot('gold', 'same', [7]), T0, 0);
      expect((await scope.artwork.findByHash('icon', 'same'))?.tierId).toBe('gold');
      expect(await scope.artwork.findByHash('logo', 'same')).toBeNull();
      const copied = await scope.artwork.copy('gold', 'vip', 'icon', at(2), 0);
      expect(copied).toMatchObject({ tierId: 'vip', hash: 'same', updatedAt: at(2) });
      expect((await scope.artwork.variant('vip', 'icon', 'icon.png'))?.data).toEqual(Buffer.from([7]));
      expect(await scope.artwork.copy('gold', 'vip', 'strip', at(3), 0)).toBeNull();
    });

    it('removes a slot with its variants', async () => {
      await scope.artwork.put(slot('gold', 'h1', [1]), T0, 0);
      expect(await scope.artwork.remove('gold', 'icon')).toBe(true);
      expect(await scope.artwork.remove('gold', 'icon')).toBe(false);
      expect(await scope.artwork.variants('gold')).toEqual([]);
    });

    it('counts removals in the generation, also of an empty slot; writes leave it', async () => {
      expect(await scope.artwork.generation('gold', 'icon')).toBe(0);
      expect(await scope.artwork.remove('gold', 'icon')).toBe(false);
      expect(await scope.artwork.generation('gold', 'icon')).toBe(1);
      await scope.artwork.put(slot('gold', 'h1', [1]), T0, 1);
      await scope.artwork.put(slot('gold', 'h2', [2]), at(1), 1);
      expect(await scope.artwork.generation('gold', 'icon')).toBe(1);
      expect(await scope.artwork.remove('gold', 'icon')).toBe(true);
      expect(await scope.artwork.generation('gold', 'icon')).toBe(2);
      // Per slot and tier.
      expect(await scope.artwork.generation('gold', 'logo')).toBe(0);
      expect(await scope.artwork.generation('vip', 'icon')).toBe(0);
    });

    it('refuses a write whose generation a removal passed: nothing stored, copies included', async () => {
      await scope.artwork.put(slot('vip', 'same', [7]), T0, 0);
      const before = await scope.artwork.generation('gold', 'icon');
      await scope.artwork.remove('gold', 'icon');
      expect(await scope.artwork.put(slot('gold', 'h1', [1]), T0, before)).toBe('deleted');
      expect(await scope.artwork.copy('vip', 'gold', 'icon', T0, before)).toBe('deleted');
      expect(await scope.artwork.list('gold')).toEqual([]);
      expect(await scope.artwork.variants('gold')).toEqual([]);
      // A write that read the generation after the removal lands.
      const after = await scope.artwork.generation('gold', 'icon');
      expect(await scope.artwork.copy('vip', 'gold', 'icon', at(1), after)).toMatchObject({ hash: 'same' });
    });

    it('lets a removal racing a write win either way: the slot ends empty', async () => {
      for (let i = 0; i < 5; i++) {
        const generation = await scope.artwork.generation('gold', 'icon');
        const [written, removed] = await Promise.all([
          scope.artwork.put(slot('gold', `h${i}`, [i]), T0, generation),
          scope.artwork.remove('gold', 'icon'),
        ]);
        // The write came first and the removal took it, or the removal came first and the write was refused.
        expect(written === 'deleted' ? !removed : removed).toBe(true);
        expect(await scope.artwork.list('gold')).toEqual([]);
        expect(await scope.artwork.variants('gold')).toEqual([]);
      }
    });

    it('keeps one preview per tier, found only under its key', async () => {
      await scope.artwork.putPreview('gold', 'k1', Buffer.from([1]), T0);
      await scope.artwork.putPreview('gold', 'k2', Buffer.from([2]), at(1));
      expect(await scope.artwork.preview('gold', 'k1')).toBeNull();
      expect(await scope.artwork.preview('gold', 'k2')).toEqual(Buffer.from([2]));
    });

    it("never shows one program's artwork to another", async () => {
      await scope.artwork.put(slot('gold', 'h1', [1]), T0, 0);
      await scope.artwork.putPreview('gold', 'k', Buffer.from([1]), T0);
      // Another program with a tier of the same id.
      const other = await newProgram(store());
      await other.transaction((tx) => tx.tiers.create('gold', tierInput('gold'), T0));
      expect(await other.artwork.list('gold')).toEqual([]);
      expect(await other.artwork.variant('gold', 'icon', 'icon.png')).toBeNull();
      expect(await other.artwork.findByHash('icon', 'h1')).toBeNull();
      expect(await other.artwork.preview('gold', 'k')).toBeNull();
      expect(await other.artwork.remove('gold', 'icon')).toBe(false);
      expect(await scope.artwork.variants('gold')).toHaveLength(2);
      expect(await scope.artwork.generation('gold', 'icon')).toBe(0);
    });
  });
}
