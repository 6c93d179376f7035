import type { GoogleObjectRecord, GoogleWalletRepository } from '../google-wallet-port.js';
import type { SqlQuery } from './sql-driver.js';

interface ObjectRow {
  customer_id: string;
  object_id: string;
  class_id: string | null;
  tier_id: string | null;
  content_hash: string | null;
  synced_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  created_at: Date;
}

const COLUMNS =
  'customer_id, object_id, class_id, tier_id, content_hash, synced_at, last_error, last_error_at, created_at';

function toObject(r: ObjectRow): GoogleObjectRecord {
  return {
    customerId: r.customer_id,
    objectId: r.object_id,
    classId: r.class_id,
    tierId: r.tier_id,
    contentHash: r.content_hash,
    syncedAt: r.synced_at,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    createdAt: r.created_at,
  };
}

/** Google Wallet state of one program. */
export function googleWalletRepository(q: SqlQuery, programId: string): GoogleWalletRepository {
  return {
    async classHash(classId) {
      const { rows } = await q.query<{ content_hash: string }>(
        'SELECT content_hash FROM google_wallet_classes WHERE program_id = $1 AND class_id = $2',
        [programId, classId],
      );
      return rows[0]?.content_hash ?? null;
    },
    async setClassHash(classId, hash, now) {
      await q.query(
        `INSERT INTO google_wallet_classes (program_id, class_id, content_hash, synced_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (program_id, class_id) DO UPDATE
           SET content_hash = EXCLUDED.content_hash, synced_at = EXCLUDED.synced_at`,
        [programId, classId, hash, now],
      );
    },
    async object(customerId) {
      const { rows } = await q.query<ObjectRow>(
        `SELECT ${COLUMNS} FROM google_wallet_objects WHERE program_id = $1 AND customer_id = $2`,
        [programId, customerId],
      );
      return rows[0] === undefined ? null : toObject(rows[0]);
    },
    async ensureObject(customerId, objectId, now) {
      const inserted = await q.query<ObjectRow>(
        `INSERT INTO google_wallet_objects (program_id, customer_id, object_id, created_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (program_id, customer_id) DO NOTHING
         RETURNING ${COLUMNS}`,
        [programId, customerId, objectId, now],
      );
      if (inserted.rows[0]) return toObject(inserted.rows[0]);
      const existing = await this.object(customerId);
      if (!existing) throw new Error(`Google object of customer ${customerId} vanished`);
      return existing;
    },
    async recordSync(customerId, sync, now) {
      await q.query(
        `UPDATE google_wallet_objects
         SET class_id = $3, tier_id = $4, content_hash = $5, synced_at = $6, last_error = NULL, last_error_at = NULL
         WHERE program_id = $1 AND customer_id = $2`,
        [programId, customerId, sync.classId, sync.tierId, sync.contentHash, now],
      );
    },
    async recordError(customerId, error, now) {
      await q.query(
        `UPDATE google_wallet_objects SET last_error = $3, last_error_at = $4
         WHERE program_id = $1 AND customer_id = $2`,
        [programId, customerId, error.slice(0, 2000), now],
      );
    },
    async takeNotification(customerId, key, now, limit) {
      // One statement: the row lock of ON CONFLICT DO UPDATE makes its WHERE see the latest
      // slots, so two dispatchers taking the last slot at once cannot both get it. Slots older
      // than 24 hours are dropped when a new one is taken (the row stays small).
      const { rows } = await q.query<{ taken: boolean }>(
        `WITH slot AS (SELECT jsonb_build_array(jsonb_build_object('key', $3::text, 'at', $4::timestamptz)) AS one)
         INSERT INTO google_wallet_notices AS n (program_id, customer_id, sent)
         SELECT $1, $2, slot.one FROM slot
         ON CONFLICT (program_id, customer_id) DO UPDATE
           SET sent = coalesce(
             (SELECT jsonb_agg(e) FROM jsonb_array_elements(n.sent) e
              WHERE (e->>'at')::timestamptz > $4::timestamptz - interval '24 hours'),
             '[]'::jsonb) || EXCLUDED.sent
           WHERE NOT n.sent @> jsonb_build_array(jsonb_build_object('key', $3::text))
             AND (SELECT count(*) FROM jsonb_array_elements(n.sent) e
                  WHERE (e->>'at')::timestamptz > $4::timestamptz - interval '24 hours') < $5
         RETURNING true AS taken`,
        [programId, customerId, key, now, limit],
      );
      if (rows.length > 0) return 'taken';
      const spent = await q.query<{ spent: boolean }>(
        `SELECT sent @> jsonb_build_array(jsonb_build_object('key', $3::text)) AS spent
         FROM google_wallet_notices WHERE program_id = $1 AND customer_id = $2`,
        [programId, customerId, key],
      );
      return spent.rows[0]?.spent ? 'spent' : 'full';
    },
  };
}
