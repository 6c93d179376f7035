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
    async takeNotification(customerId, day, limit) {
      // Only today's count matters: earlier days of this object are dropped (the table stays small).
      await q.query(
        'DELETE FROM google_wallet_notifications WHERE program_id = $1 AND customer_id = $2 AND day < $3::date',
        [programId, customerId, day],
      );
      // One statement: two dispatchers taking the last slot at once cannot both get it.
      const { rows } = await q.query<{ sent: number }>(
        `INSERT INTO google_wallet_notifications AS n (program_id, customer_id, day, sent)
         VALUES ($1, $2, $3::date, 1)
         ON CONFLICT (program_id, customer_id, day) DO UPDATE SET sent = n.sent + 1
           WHERE n.sent < $4
         RETURNING sent`,
        [programId, customerId, day, limit],
      );
      return rows.length > 0;
    },
    async releaseNotification(customerId, day) {
      await q.query(
        `UPDATE google_wallet_notifications SET sent = greatest(sent - 1, 0)
         WHERE program_id = $1 AND customer_id = $2 AND day = $3::date`,
        [programId, customerId, day],
      );
    },
  };
}
