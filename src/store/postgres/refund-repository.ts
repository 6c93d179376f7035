import type { ProgramTx, RefundRecord } from '../port.js';
import type { SqlQuery } from './sql-driver.js';
import { existingRow, jsonParam } from './sql-values.js';

/** A refunds row as selected with `REFUND_COLUMNS`. */
export interface RefundRow {
  id: string;
  order_id: string;
  amount: number;
  request_hash: string;
  response: unknown;
  created_at: Date;
}

export const REFUND_COLUMNS = 'id, order_id, amount, request_hash, response, created_at';

/** A refunds row as a record. */
export function toRefund(r: RefundRow): RefundRecord {
  return {
    id: r.id,
    orderId: r.order_id,
    amount: r.amount,
    requestHash: r.request_hash,
    response: r.response,
    createdAt: r.created_at,
  };
}

/** Refunds of one program (transaction only). */
export function refundRepository(q: SqlQuery, programId: string): ProgramTx['refunds'] {
  async function get(id: string): Promise<RefundRecord | null> {
    const { rows } = await q.query<RefundRow>(
      `SELECT ${REFUND_COLUMNS}
       FROM refunds WHERE program_id = $1 AND id = $2`,
      [programId, id],
    );
    return rows[0] === undefined ? null : toRefund(rows[0]);
  }
  return {
    get,
    async insert(refund) {
      const { rowCount } = await q.query(
        `INSERT INTO refunds (program_id, id, order_id, amount, request_hash, response)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb)
         ON CONFLICT (program_id, id) DO NOTHING
         RETURNING id`,
        [programId, refund.id, refund.orderId, refund.amount, refund.requestHash, jsonParam(refund.response)],
      );
      if (rowCount > 0) return { inserted: true };
      return { inserted: false, existing: existingRow(await get(refund.id), refund.id) };
    },
  };
}
