/**
 * Per-tier pass artwork on the in-memory adapter. Each write is one synchronous step, so a put
 * and a remove of one slot are ordered whole: the generation check and the write never interleave.
 */
import type { ArtworkRepository, ArtworkSlotRecord } from '../artwork-port.js';
import { copy } from './memory-db.js';
import type { ArtworkRow, MemoryState } from './memory-state.js';

const key = (tierId: string, slot: string) => `${tierId}\u0000${slot}`;

function info(row: ArtworkRow): ArtworkSlotRecord {
  return copy(row.record);
}

export function memoryArtwork(state: MemoryState, programId: string): ArtworkRepository {
  const data = () => state.program(programId);
  const rows = () => state.maybe(programId)?.artwork;
  const generationOf = (tierId: string, slot: string) =>
    state.maybe(programId)?.artworkGenerations.get(key(tierId, slot)) ?? 0;
  const store = (row: ArtworkRow, generation: number): ArtworkSlotRecord | 'deleted' => {
    const { tierId, slot } = row.record;
    if (generationOf(tierId, slot) !== generation) return 'deleted';
    const p = data();
    const tier = p.tiers.get(tierId);
    if (!tier) throw new Error(`tier ${tierId} not found`);
    p.artwork.set(key(tierId, slot), row);
    return info(row);
  };
  return {
    async list(tierId) {
      return [...(rows()?.values() ?? [])]
        .filter((r) => r.record.tierId === tierId)
        .sort((a, b) => (a.record.slot < b.record.slot ? -1 : 1))
        .map(info);
    },
    async get(tierId, slot) {
      const row = rows()?.get(key(tierId, slot));
      return row ? info(row) : null;
    },
    async findByHash(slot, hash) {
      for (const row of rows()?.values() ?? [])
        if (row.record.slot === slot && row.record.hash === hash) return info(row);
      return null;
    },
    async generation(tierId, slot) {
      return generationOf(tierId, slot);
    },
    async put(slot, now, generation) {
      const variants = slot.variants.map((v) => ({ ...v, data: Buffer.from(v.data) }));
      return store(
        {
          record: {
            tierId: slot.tierId,
            slot: slot.slot,
            hash: slot.hash,
            contentType: slot.contentType,
            width: slot.width,
            height: slot.height,
            variants: variants.map(({ name, width, height, bytes }) => ({ name, width, height, bytes })),
            updatedAt: new Date(now),
          },
          source: Buffer.from(slot.source),
          variants,
        },
        generation,
      );
    },
    async copy(fromTierId, toTierId, slot, now, generation) {
      const from = rows()?.get(key(fromTierId, slot));
      if (!from) return null;
      return store(
        { ...from, record: { ...from.record, tierId: toTierId, updatedAt: new Date(now) } },
        generation,
      );
    },
    async remove(tierId, slot) {
      const p = data();
      const k = key(tierId, slot);
      p.artworkGenerations.set(k, (p.artworkGenerations.get(k) ?? 0) + 1);
      return p.artwork.delete(k);
    },
    async variant(tierId, slot, name) {
      const row = rows()?.get(key(tierId, slot));
      const v = row?.variants.find((x) => x.name === name);
      return row && v ? { hash: row.record.hash, data: Buffer.from(v.data) } : null;
    },
    async variants(tierId) {
      return [...(rows()?.values() ?? [])]
        .filter((r) => r.record.tierId === tierId)
        .sort((a, b) => (a.record.slot < b.record.slot ? -1 : 1))
        .flatMap((r) =>
          r.variants.map((v) => ({ slot: r.record.slot, name: v.name, data: Buffer.from(v.data) })),
        );
    },
    async preview(tierId, previewKey) {
      const p = state.maybe(programId)?.previews.get(tierId);
      return p && p.key === previewKey ? Buffer.from(p.data) : null;
    },
    async putPreview(tierId, previewKey, bytes) {
      data().previews.set(tierId, { key: previewKey, data: Buffer.from(bytes) });
    },
  };
}
