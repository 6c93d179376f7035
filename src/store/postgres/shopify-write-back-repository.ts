/** A program's Shopify write-back setting and record (migration 035, docs/decisions/0045). */
import type { ShopifyWriteBackRepository, ShopifyWriteBackStatus } from '../shopify-write-back-port.js';
import type { SqlQuery } from './sql-driver.js';

interface Row {
  enabled: boolean;
  synced: string;
  failed: string;
  last_synced_at: Date | null;
  last_error_code: string | null;
  last_error: string | null;
  last_error_at: Date | null;
}

const DEFAULTS: ShopifyWriteBackStatus = {
  enabled: true,
  synced: 0,
  failed: 0,
  lastSyncedAt: null,
  lastError: null,
};

export function shopifyWriteBackRepository(q: SqlQuery, programId: string): ShopifyWriteBackRepository {
  return {
    async get() {
      const { rows } = await q.query<Row>('SELECT * FROM shopify_write_backs WHERE program_id = $1', [
        programId,
      ]);
      const r = rows[0];
      if (!r) return { ...DEFAULTS };
      return {
        enabled: r.enabled,
        synced: Number(r.synced),
        failed: Number(r.failed),
        lastSyncedAt: r.last_synced_at,
        lastError:
          r.last_error_code !== null && r.last_error_at !== null
            ? { code: r.last_error_code, message: r.last_error ?? '', at: r.last_error_at }
            : null,
      };
    },
    async setEnabled(enabled) {
      await q.query(
        `INSERT INTO shopify_write_backs (program_id, enabled) VALUES ($1, $2)
         ON CONFLICT (program_id) DO UPDATE SET enabled = EXCLUDED.enabled`,
        [programId, enabled],
      );
    },
    async recordSynced(count, at) {
      if (count <= 0) return;
      await q.query(
        `INSERT INTO shopify_write_backs (program_id, synced, last_synced_at) VALUES ($1, $2, $3)
         ON CONFLICT (program_id) DO UPDATE SET synced = shopify_write_backs.synced + EXCLUDED.synced,
           last_synced_at = greatest(shopify_write_backs.last_synced_at, EXCLUDED.last_synced_at)`,
        [programId, count, at],
      );
    },
    async recordFailed(code, message, at) {
      await q.query(
        `INSERT INTO shopify_write_backs (program_id, failed, last_error_code, last_error, last_error_at)
         VALUES ($1, 1, $2, $3, $4)
         ON CONFLICT (program_id) DO UPDATE SET failed = shopify_write_backs.failed + 1,
           last_error_code = EXCLUDED.last_error_code, last_error = EXCLUDED.last_error,
           last_error_at = EXCLUDED.last_error_at`,
        [programId, code, message, at],
      );
    },
  };
}
