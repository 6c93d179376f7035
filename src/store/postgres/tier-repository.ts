import type { Qualification, TierBenefits } from '../../domain/types.js';
import type { TierDesign, TierInput, TierRecord, TierRepository } from '../port.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam, one } from './sql-values.js';
import type { TierListCache, TxTierVersion } from './tier-list-cache.js';

interface TierRow {
  id: string;
  rank: number;
  title: string;
  icon: string | null;
  visible: boolean;
  enabled: boolean;
  qualifications: Qualification[];
  maintain: Qualification[] | null;
  benefits: TierBenefits;
  design: TierDesign;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, rank, title, icon, visible, enabled, qualifications, maintain, benefits, design, created_at, updated_at';

/** The live tiers with the list's version (one row with null tier columns when there are none). */
const LIST_SQL = `
SELECT p.tiers_version, t.id, t.rank, t.title, t.icon, t.visible, t.enabled, t.qualifications, t.maintain,
  t.benefits, t.design, t.created_at, t.updated_at
FROM programs p
LEFT JOIN tiers t ON t.program_id = p.id AND t.deleted_at IS NULL
WHERE p.id = $1
ORDER BY t.rank`;

function toTier(r: TierRow): TierRecord {
  return {
    id: r.id,
    title: r.title,
    icon: r.icon,
    visible: r.visible,
    enabled: r.enabled,
    rank: r.rank,
    qualifications: r.qualifications,
    maintain: r.maintain,
    benefits: r.benefits,
    design: r.design,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** $3…$10 of the insert/update statements. */
function inputParams(input: TierInput): unknown[] {
  return [
    input.title,
    input.icon,
    input.visible,
    input.enabled,
    jsonParam(input.qualifications),
    input.maintain === null ? null : jsonParam(input.maintain),
    jsonParam(input.benefits),
    jsonParam(input.design),
  ];
}

/**
 * Live tiers keep ranks 0…n-1: create appends, remove closes the gap, reorder
 * permutes. Concurrent changes should hold `program.lock()`; without it the deferred
 * unique (program_id, rank) constraint fails one of them at commit.
 * With a `cache`, `list()` answers from it without a statement when `seen.seen` (the tier list
 * version this transaction read with its customer lock) is the cached list's version.
 */
export function tierRepository(
  q: SqlQuery,
  programId: string,
  cache?: TierListCache,
  seen?: TxTierVersion,
): TierRepository {
  return {
    async list() {
      if (cache && seen?.seen !== undefined) {
        const hit = cache.get(programId, seen.seen);
        if (hit) return hit;
      }
      const { rows } = await q.query<Partial<TierRow> & { tiers_version: number }>(LIST_SQL, [programId]);
      const tiers = rows.filter((r) => r.id != null).map((r) => toTier(r as TierRow));
      if (cache && rows[0] !== undefined) cache.set(programId, rows[0].tiers_version, tiers);
      return tiers;
    },
    async get(id) {
      const { rows } = await q.query<TierRow>(
        `SELECT ${COLUMNS} FROM tiers WHERE program_id = $1 AND id = $2 AND deleted_at IS NULL`,
        [programId, id],
      );
      return rows[0] === undefined ? null : toTier(rows[0]);
    },
    async create(id, input, now) {
      if (seen) seen.seen = undefined; // the version read before this write is stale now
      const { rows } = await q.query<TierRow>(
        `INSERT INTO tiers (program_id, id, rank, title, icon, visible, enabled, qualifications, maintain,
           benefits, design, created_at, updated_at)
         SELECT $1, $2, coalesce(max(rank) + 1, 0), $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb,
           $11, $11
         FROM tiers WHERE program_id = $1 AND deleted_at IS NULL
         RETURNING ${COLUMNS}`,
        [programId, id, ...inputParams(input), now],
      );
      return toTier(one(rows, 'tier'));
    },
    async update(id, input, now) {
      if (seen) seen.seen = undefined; // the version read before this write is stale now
      const { rows } = await q.query<TierRow>(
        `UPDATE tiers SET title = $3, icon = $4, visible = $5, enabled = $6, qualifications = $7::jsonb,
           maintain = $8::jsonb, benefits = $9::jsonb, design = $10::jsonb, updated_at = $11
         WHERE program_id = $1 AND id = $2 AND deleted_at IS NULL
         RETURNING ${COLUMNS}`,
        [programId, id, ...inputParams(input), now],
      );
      return rows[0] === undefined ? null : toTier(rows[0]);
    },
    async remove(id, now) {
      if (seen) seen.seen = undefined; // the version read before this write is stale now
      // One statement: soft-delete and shift the tiers above down by one.
      const { rows } = await q.query<{ id: string }>(
        `WITH prev AS (
           SELECT rank AS old_rank FROM tiers
           WHERE program_id = $1 AND id = $2 AND deleted_at IS NULL FOR UPDATE
         ), gone AS (
           UPDATE tiers t SET deleted_at = $3, rank = NULL, updated_at = $3
           FROM prev WHERE t.program_id = $1 AND t.id = $2 AND t.deleted_at IS NULL
           RETURNING prev.old_rank
         ), shifted AS (
           UPDATE tiers t SET rank = t.rank - 1, updated_at = $3
           FROM gone WHERE t.program_id = $1 AND t.deleted_at IS NULL AND t.rank > gone.old_rank
         )
         SELECT $2::text AS id FROM gone`,
        [programId, id, now],
      );
      return rows.length > 0;
    },
    async reorder(ids, now) {
      if (seen) seen.seen = undefined; // the version read before this write is stale now
      // Validate inside the statement so a bad list changes nothing, even outside a transaction.
      const { rows } = await q.query<{ ok: boolean }>(
        `WITH wanted AS (
           SELECT id, (ord - 1)::int AS rank FROM unnest($2::text[]) WITH ORDINALITY AS w(id, ord)
         ), live AS (
           SELECT id FROM tiers WHERE program_id = $1 AND deleted_at IS NULL FOR UPDATE
         ), valid AS (
           SELECT (SELECT count(*) FROM wanted) = (SELECT count(*) FROM live)
             AND (SELECT count(DISTINCT id) FROM wanted) = (SELECT count(*) FROM wanted)
             AND NOT EXISTS (SELECT 1 FROM wanted WHERE id NOT IN (SELECT id FROM live)) AS ok
         ), moved AS (
           UPDATE tiers t SET rank = wanted.rank, updated_at = $3
           FROM wanted, valid
           WHERE valid.ok AND t.program_id = $1 AND t.id = wanted.id AND t.deleted_at IS NULL
         )
         SELECT ok FROM valid`,
        [programId, ids, now],
      );
      if (!rows[0]?.ok) throw new Error('reorder needs every live tier id exactly once');
    },
    async titles() {
      const { rows } = await q.query<{ id: string; title: string; deleted: boolean }>(
        `SELECT id, title, deleted_at IS NOT NULL AS deleted FROM tiers WHERE program_id = $1 ORDER BY id`,
        [programId],
      );
      return rows;
    },
  };
}
