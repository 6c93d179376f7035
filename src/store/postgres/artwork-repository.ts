import type { ArtworkRepository, ArtworkSlotRecord, ArtworkVariantInfo } from '../artwork-port.js';
import type { SqlDriver, SqlQuery } from './sql-driver.js';
import { jsonParam, one } from './sql-values.js';

interface SlotRow {
  tier_id: string;
  slot: string;
  hash: string;
  content_type: string;
  width: number;
  height: number;
  variants: ArtworkVariantInfo[];
  updated_at: Date;
}

const COLUMNS = 'tier_id, slot, hash, content_type, width, height, variants, updated_at';
const UPSERT_SET = `hash = EXCLUDED.hash, content_type = EXCLUDED.content_type, width = EXCLUDED.width,
  height = EXCLUDED.height, source = EXCLUDED.source, variants = EXCLUDED.variants, updated_at = EXCLUDED.updated_at`;

function toSlot(r: SlotRow): ArtworkSlotRecord {
  return {
    tierId: r.tier_id,
    slot: r.slot,
    hash: r.hash,
    contentType: r.content_type,
    width: r.width,
    height: r.height,
    variants: r.variants,
    updatedAt: r.updated_at,
  };
}

/** pg returns bytea as a Buffer, PGlite as a Uint8Array. */
function bytes(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * Slots and variants change together (slot upsert, variants deleted and inserted, in one
 * transaction), so a reader never sees variants of two different uploads. The driver is needed, not a
 * bare query runner, because `put`, `copy` and `remove` open their own transaction.
 *
 * Generations: `put`, `copy` and `remove` each start by locking the slot's row of
 * artwork_slot_generations (upserted, so there is a row to lock even before the first upload),
 * so a write and a removal of one slot are serialised: a write that comes second sees the bumped
 * generation and writes nothing; a removal that comes second removes what the write stored.
 */
export function artworkRepository(driver: SqlDriver, programId: string): ArtworkRepository {
  async function deleteVariants(q: SqlQuery, tierId: string, slot: string): Promise<void> {
    await q.query('DELETE FROM artwork_variants WHERE program_id = $1 AND tier_id = $2 AND slot = $3', [
      programId,
      tierId,
      slot,
    ]);
  }

  /** Lock the slot's generation row until the transaction ends (creating it at 0); the generation. */
  async function lockGeneration(q: SqlQuery, tierId: string, slot: string): Promise<number> {
    const { rows } = await q.query<{ generation: number }>(
      `INSERT INTO artwork_slot_generations (program_id, tier_id, slot, generation) VALUES ($1, $2, $3, 0)
       ON CONFLICT (program_id, tier_id, slot) DO UPDATE SET generation = artwork_slot_generations.generation
       RETURNING generation`,
      [programId, tierId, slot],
    );
    return one(rows, 'artwork slot generation').generation;
  }

  return {
    async list(tierId) {
      const { rows } = await driver.query<SlotRow>(
        `SELECT ${COLUMNS} FROM artwork_slots WHERE program_id = $1 AND tier_id = $2 ORDER BY slot`,
        [programId, tierId],
      );
      return rows.map(toSlot);
    },
    async get(tierId, slot) {
      const { rows } = await driver.query<SlotRow>(
        `SELECT ${COLUMNS} FROM artwork_slots WHERE program_id = $1 AND tier_id = $2 AND slot = $3`,
        [programId, tierId, slot],
      );
      return rows[0] === undefined ? null : toSlot(rows[0]);
    },
    async findByHash(slot, hash) {
      const { rows } = await driver.query<SlotRow>(
        `SELECT ${COLUMNS} FROM artwork_slots WHERE program_id = $1 AND slot = $2 AND hash = $3 LIMIT 1`,
        [programId, slot, hash],
      );
      return rows[0] === undefined ? null : toSlot(rows[0]);
    },
    async generation(tierId, slot) {
      const { rows } = await driver.query<{ generation: number }>(
        `SELECT generation FROM artwork_slot_generations WHERE program_id = $1 AND tier_id = $2 AND slot = $3`,
        [programId, tierId, slot],
      );
      return rows[0]?.generation ?? 0;
    },
    put(s, now, generation) {
      return driver.transaction(async (q) => {
        if ((await lockGeneration(q, s.tierId, s.slot)) !== generation) return 'deleted';
        // Upsert, not delete + insert: a concurrent first upload of the same slot waits on
        // the row lock and then replaces, instead of failing on the primary key.
        const variants = s.variants.map(({ name, width, height, bytes }) => ({ name, width, height, bytes }));
        const { rows } = await q.query<SlotRow>(
          `INSERT INTO artwork_slots (program_id, tier_id, slot, hash, content_type, width, height, source,
             variants, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)
           ON CONFLICT (program_id, tier_id, slot) DO UPDATE SET ${UPSERT_SET}
           RETURNING ${COLUMNS}`,
          [
            programId,
            s.tierId,
            s.slot,
            s.hash,
            s.contentType,
            s.width,
            s.height,
            s.source,
            jsonParam(variants),
            now,
          ],
        );
        await deleteVariants(q, s.tierId, s.slot);
        await q.query(
          `INSERT INTO artwork_variants (program_id, tier_id, slot, name, data)
           SELECT $1, $2, $3, v.name, v.data FROM unnest($4::text[], $5::bytea[]) AS v(name, data)`,
          [programId, s.tierId, s.slot, s.variants.map((v) => v.name), s.variants.map((v) => v.data)],
        );
        return toSlot(one(rows, 'artwork slot'));
      });
    },
    copy(fromTierId, toTierId, slot, now, generation) {
      return driver.transaction(async (q) => {
        if ((await lockGeneration(q, toTierId, slot)) !== generation) return 'deleted';
        const { rows } = await q.query<SlotRow>(
          `INSERT INTO artwork_slots (program_id, tier_id, slot, hash, content_type, width, height, source,
             variants, updated_at)
           SELECT program_id, $3, slot, hash, content_type, width, height, source, variants, $4
           FROM artwork_slots WHERE program_id = $1 AND tier_id = $2 AND slot = $5
           ON CONFLICT (program_id, tier_id, slot) DO UPDATE SET ${UPSERT_SET}
           RETURNING ${COLUMNS}`,
          [programId, fromTierId, toTierId, now, slot],
        );
        if (rows[0] === undefined) return null;
        await deleteVariants(q, toTierId, slot);
        await q.query(
          `INSERT INTO artwork_variants (program_id, tier_id, slot, name, data)
           SELECT program_id, $3, slot, name, data FROM artwork_variants
           WHERE program_id = $1 AND tier_id = $2 AND slot = $4`,
          [programId, fromTierId, toTierId, slot],
        );
        return toSlot(rows[0]);
      });
    },
    remove(tierId, slot) {
      return driver.transaction(async (q) => {
        await q.query(
          `INSERT INTO artwork_slot_generations (program_id, tier_id, slot, generation) VALUES ($1, $2, $3, 1)
           ON CONFLICT (program_id, tier_id, slot) DO UPDATE SET generation = artwork_slot_generations.generation + 1`,
          [programId, tierId, slot],
        );
        const { rowCount } = await q.query(
          'DELETE FROM artwork_slots WHERE program_id = $1 AND tier_id = $2 AND slot = $3',
          [programId, tierId, slot],
        );
        return rowCount > 0;
      });
    },
    async variant(tierId, slot, name) {
      const { rows } = await driver.query<{ hash: string; data: Uint8Array }>(
        `SELECT s.hash, v.data FROM artwork_variants v
         JOIN artwork_slots s USING (program_id, tier_id, slot)
         WHERE v.program_id = $1 AND v.tier_id = $2 AND v.slot = $3 AND v.name = $4`,
        [programId, tierId, slot, name],
      );
      const row = rows[0];
      return row === undefined ? null : { hash: row.hash, data: bytes(row.data) };
    },
    async variants(tierId) {
      const { rows } = await driver.query<{ slot: string; name: string; data: Uint8Array }>(
        `SELECT slot, name, data FROM artwork_variants WHERE program_id = $1 AND tier_id = $2
         ORDER BY slot, name`,
        [programId, tierId],
      );
      return rows.map((r) => ({ slot: r.slot, name: r.name, data: bytes(r.data) }));
    },
    async preview(tierId, key) {
      const { rows } = await driver.query<{ data: Uint8Array }>(
        'SELECT data FROM artwork_previews WHERE program_id = $1 AND tier_id = $2 AND cache_key = $3',
        [programId, tierId, key],
      );
      return rows[0] === undefined ? null : bytes(rows[0].data);
    },
    async putPreview(tierId, key, data, now) {
      await driver.query(
        `INSERT INTO artwork_previews (program_id, tier_id, cache_key, data, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (program_id, tier_id) DO UPDATE
           SET cache_key = EXCLUDED.cache_key, data = EXCLUDED.data, created_at = EXCLUDED.created_at`,
        [programId, tierId, key, data, now],
      );
    },
  };
}
