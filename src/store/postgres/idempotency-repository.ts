import type { IdempotencyRecord, ProgramTx } from '../port.js';
import type { SqlQuery } from './sql-driver.js';
import { existingRow, jsonParam } from './sql-values.js';

interface IdempotencyRow {
  key: string;
  request_hash: string;
  status: number;
  response: unknown;
  created_at: Date;
}

function toRecord(r: IdempotencyRow): IdempotencyRecord {
  return {
    key: r.key,
    requestHash: r.request_hash,
    status: r.status,
    response: r.response,
    createdAt: r.created_at,
  };
}

/** Stored idempotent responses of one program; `insert` only inside a transaction. */
export function idempotencyRepository(q: SqlQuery, programId: string): ProgramTx['idempotency'] {
  async function get(key: string): Promise<IdempotencyRecord | null> {
    const { rows } = await q.query<IdempotencyRow>(
      `SELECT key, request_hash, status, response, created_at
       FROM idempotency_keys WHERE program_id = $1 AND key = $2`,
      [programId, key],
    );
    return rows[0] === undefined ? null : toRecord(rows[0]);
  }
  return {
    get,
    async insert(rec) {
      const { rowCount } = await q.query(
        `INSERT INTO idempotency_keys (program_id, key, request_hash, status, response)
         VALUES ($1, $2, $3, $4, $5::jsonb)
         ON CONFLICT (program_id, key) DO NOTHING
         RETURNING key`,
        [programId, rec.key, rec.requestHash, rec.status, jsonParam(rec.response)],
      );
      if (rowCount > 0) return { inserted: true };
      return { inserted: false, existing: existingRow(await get(rec.key), rec.key) };
    },
  };
}
