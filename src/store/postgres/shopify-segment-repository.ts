/** A program's Shopify segments, their members and the sync's progress (migration 038, 0048). */
import type {
  ShopifySegmentRecord,
  ShopifySegmentRepository,
  ShopifySegmentSyncRecord,
} from '../shopify-segment-port.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam } from './sql-values.js';

interface SegmentRow {
  label: string;
  segment_id: string | null;
  name: string | null;
  member_count: number | null;
  synced_at: Date;
}

interface SyncRow {
  state: ShopifySegmentSyncRecord['state'];
  trigger: ShopifySegmentSyncRecord['trigger'];
  started_at: Date;
  finished_at: Date | null;
  segments_total: number;
  segments_done: number;
  members_read: number;
  customers_changed: number;
  customers_evaluated: number;
  warnings: string[];
  error: string | null;
}

const SYNC_COLUMNS: Record<string, string> = {
  state: 'state',
  finishedAt: 'finished_at',
  segmentsTotal: 'segments_total',
  segmentsDone: 'segments_done',
  membersRead: 'members_read',
  customersChanged: 'customers_changed',
  customersEvaluated: 'customers_evaluated',
  warnings: 'warnings',
  error: 'error',
};

export function shopifySegmentRepository(q: SqlQuery, programId: string): ShopifySegmentRepository {
  return {
    async list() {
      const res = await q.query<SegmentRow>(
        `SELECT label, segment_id, name, member_count, synced_at FROM shopify_segments
         WHERE program_id = $1 ORDER BY label`,
        [programId],
      );
      return res.rows.map(
        (r): ShopifySegmentRecord => ({
          label: r.label,
          segmentId: r.segment_id,
          name: r.name,
          memberCount: r.member_count,
          syncedAt: r.synced_at,
        }),
      );
    },
    async save(r) {
      await q.query(
        `INSERT INTO shopify_segments (program_id, label, segment_id, name, member_count, synced_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (program_id, label) DO UPDATE SET segment_id = EXCLUDED.segment_id,
           name = EXCLUDED.name, member_count = EXCLUDED.member_count, synced_at = EXCLUDED.synced_at`,
        [programId, r.label, r.segmentId, r.name, r.memberCount, r.syncedAt],
      );
    },
    async retain(labels) {
      await q.query(
        `WITH gone AS (DELETE FROM shopify_segments WHERE program_id = $1 AND NOT (label = ANY($2::text[])))
         DELETE FROM shopify_segment_members WHERE program_id = $1 AND NOT (label = ANY($2::text[]))`,
        [programId, [...labels]],
      );
    },
    async members(label) {
      const res = await q.query<{ customer_id: string }>(
        `SELECT customer_id FROM shopify_segment_members WHERE program_id = $1 AND label = $2
         ORDER BY customer_id`,
        [programId, label],
      );
      return res.rows.map((r) => r.customer_id);
    },
    async setMembers(label, customerIds) {
      // One statement: rows no longer members go, new ones come in (both see the same snapshot,
      // so the delete must spare the rows that stay: the insert skips those as conflicts).
      await q.query(
        `WITH gone AS (DELETE FROM shopify_segment_members
                       WHERE program_id = $1 AND label = $2 AND NOT (customer_id = ANY($3::text[])))
         INSERT INTO shopify_segment_members (program_id, label, customer_id)
         SELECT $1, $2, id FROM unnest($3::text[]) AS id
         ON CONFLICT DO NOTHING`,
        [programId, label, [...new Set(customerIds)]],
      );
    },
    async sync() {
      const res = await q.query<SyncRow>('SELECT * FROM shopify_segment_syncs WHERE program_id = $1', [
        programId,
      ]);
      const r = res.rows[0];
      if (!r) return null;
      return {
        state: r.state,
        trigger: r.trigger,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        segmentsTotal: r.segments_total,
        segmentsDone: r.segments_done,
        membersRead: r.members_read,
        customersChanged: r.customers_changed,
        customersEvaluated: r.customers_evaluated,
        warnings: r.warnings,
        error: r.error,
      };
    },
    async startSync(s, staleBefore) {
      const res = await q.query(
        `INSERT INTO shopify_segment_syncs AS s (program_id, state, trigger, started_at)
         VALUES ($1, 'running', $2, $3)
         ON CONFLICT (program_id) DO UPDATE SET state = 'running', trigger = EXCLUDED.trigger,
           started_at = EXCLUDED.started_at, finished_at = NULL, segments_total = 0, segments_done = 0,
           members_read = 0, customers_changed = 0, customers_evaluated = 0, warnings = '[]', error = NULL
         WHERE s.state <> 'running' OR s.started_at < $4
         RETURNING program_id`,
        [programId, s.trigger, s.startedAt, staleBefore],
      );
      return res.rows.length === 1;
    },
    async updateSync(patch) {
      const sets: string[] = [];
      const values: unknown[] = [programId];
      for (const [key, value] of Object.entries(patch)) {
        const column = SYNC_COLUMNS[key];
        if (!column || value === undefined) continue;
        values.push(key === 'warnings' ? jsonParam(value) : value);
        sets.push(`${column} = $${values.length}${key === 'warnings' ? '::jsonb' : ''}`);
      }
      if (sets.length === 0) return;
      await q.query(
        `UPDATE shopify_segment_syncs SET ${sets.join(', ')} WHERE program_id = $1 AND state = 'running'`,
        values,
      );
    },
  };
}
