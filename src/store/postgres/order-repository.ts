import type { OrderRecord, ProgramTx } from '../port.js';
import { REFUND_COLUMNS, type RefundRow, toRefund } from './refund-repository.js';
import type { SqlQuery } from './sql-driver.js';
import { existingRow, jsonParam } from './sql-values.js';

interface OrderRow {
  id: string;
  customer_id: string;
  amount: number;
  placed_at: Date;
  earned_at: Date;
  refunded_amount: number;
  points_awarded: number;
  points_reversed: number;
  request_hash: string;
  response: unknown;
  created_at: Date;
}

const COLUMNS = `id, customer_id, amount, placed_at, earned_at, refunded_amount, points_awarded,
  points_reversed, request_hash, response, created_at`;

function toOrder(r: OrderRow): OrderRecord {
  return {
    id: r.id,
    customerId: r.customer_id,
    amount: r.amount,
    placedAt: r.placed_at,
    earnedAt: r.earned_at,
    refundedAmount: r.refunded_amount,
    pointsAwarded: r.points_awarded,
    pointsReversed: r.points_reversed,
    requestHash: r.request_hash,
    response: r.response,
    createdAt: r.created_at,
  };
}

/** Orders of one program; the write methods only inside a transaction. */
export function orderRepository(q: SqlQuery, programId: string): ProgramTx['orders'] {
  async function get(id: string): Promise<OrderRecord | null> {
    const { rows } = await q.query<OrderRow>(
      `SELECT ${COLUMNS} FROM orders WHERE program_id = $1 AND id = $2`,
      [programId, id],
    );
    return rows[0] === undefined ? null : toOrder(rows[0]);
  }
  return {
    get,
    async listByCustomer(customerId, opts) {
      // Keyset on (placed_at, id) after the cursor order (the last order of the previous page).
      const { rows } = await q.query<OrderRow>(
        `SELECT ${COLUMNS} FROM orders
         WHERE program_id = $1 AND customer_id = $2
           AND ($3::text IS NULL OR (placed_at, id) <
             (SELECT placed_at, id FROM orders WHERE program_id = $1 AND customer_id = $2 AND id = $3))
         ORDER BY placed_at DESC, id DESC LIMIT $4`,
        [programId, customerId, opts.cursor ?? null, opts.limit + 1],
      );
      const items = rows.slice(0, opts.limit).map(toOrder);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > opts.limit && last ? last.id : null };
    },
    async refundsOf(orderIds) {
      if (orderIds.length === 0) return [];
      const { rows } = await q.query<RefundRow>(
        `SELECT ${REFUND_COLUMNS} FROM refunds WHERE program_id = $1 AND order_id = ANY($2::text[])
         ORDER BY created_at, id`,
        [programId, orderIds],
      );
      return rows.map(toRefund);
    },
    async summary(customerId, sq) {
      // Window starts travel as one timestamptz[]; each window is a FILTERed sum over the same scan.
      const sums = sq.windows.map(
        (_, i) =>
          `coalesce(sum(net) FILTER (WHERE placed_at > ($4::timestamptz[])[${i + 1}]), 0)::bigint AS w${i}`,
      );
      const { rows } = await q.query<Record<string, number>>(
        `SELECT ${[...sums, 'coalesce(max(net), 0)::bigint AS largest', 'coalesce(sum(net), 0)::bigint AS total'].join(', ')}
         FROM (SELECT amount - refunded_amount AS net, placed_at FROM orders
               WHERE program_id = $1 AND customer_id = $2 AND placed_at <= $3) o`,
        // Without windows $4 would be unused, and PostgreSQL refuses a parameter it cannot type.
        sq.windows.length > 0
          ? [programId, customerId, sq.asOf, sq.windows.map((w) => w.from)]
          : [programId, customerId, sq.asOf],
      );
      const row = rows[0] ?? {};
      return {
        windowSpend: Object.fromEntries(sq.windows.map((w, i) => [w.key, row[`w${i}`] ?? 0])),
        largestOrder: row.largest ?? 0,
        totalSpend: row.total ?? 0,
      };
    },
    async insert(order) {
      const { rowCount } = await q.query(
        `INSERT INTO orders (program_id, id, customer_id, amount, placed_at, earned_at, points_awarded,
           request_hash, response)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
         ON CONFLICT (program_id, id) DO NOTHING
         RETURNING id`,
        [
          programId,
          order.id,
          order.customerId,
          order.amount,
          order.placedAt,
          order.earnedAt,
          order.pointsAwarded,
          order.requestHash,
          jsonParam(order.response),
        ],
      );
      if (rowCount > 0) return { inserted: true };
      return { inserted: false, existing: existingRow(await get(order.id), order.id) };
    },
    async updateRefunded(id, refundedAmount, pointsReversed) {
      const { rowCount } = await q.query(
        'UPDATE orders SET refunded_amount = $3, points_reversed = $4 WHERE program_id = $1 AND id = $2',
        [programId, id, refundedAmount, pointsReversed],
      );
      if (rowCount === 0) throw new Error(`order ${id} not found`);
    },
  };
}
