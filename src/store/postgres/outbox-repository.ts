import type { OutboxItem, OutboxRepository, OutboxTxRepository } from '../outbox-port.js';
import type { SqlQuery } from './sql-driver.js';

/**
 * Both kinds for every customer of program $1 with a wallet pass — only those whose tier is $2
 * when $2 is not null.
 */
const PASSES_CHANGED_SQL = `
INSERT INTO outbox (program_id, customer_id, kind, due_at, created_at)
SELECT $1, p.customer_id, 'apple_pass_changed', now(), now()
FROM passes p
JOIN customers c ON c.program_id = $1 AND c.id = p.customer_id
WHERE p.program_id = $1 AND ($2::text IS NULL OR c.tier_id = $2)
  AND EXISTS (SELECT 1 FROM pass_registrations r WHERE r.program_id = $1 AND r.serial = p.serial)
UNION ALL
SELECT $1, g.customer_id, 'google_object_changed', now(), now()
FROM google_wallet_objects g
JOIN customers c ON c.program_id = $1 AND c.id = g.customer_id
WHERE g.program_id = $1 AND ($2::text IS NULL OR c.tier_id = $2)`;

/** Outbox writes of one program's transaction; `queued` is told when a row was written. */
export function outboxTxRepository(q: SqlQuery, programId: string, queued?: () => void): OutboxTxRepository {
  return {
    async passesChanged(scope) {
      if ((await q.query(PASSES_CHANGED_SQL, [programId, scope?.tierId ?? null])).rowCount > 0) queued?.();
    },
  };
}

interface ItemRow {
  id: string;
  program_id: string;
  customer_id: string;
  kind: OutboxItem['kind'];
  attempts: number;
}

/** The dispatcher's view of the outbox; `listeners` are those `onQueued` registers. */
export function outboxRepository(q: SqlQuery, listeners: (() => void)[] = []): OutboxRepository {
  return {
    onQueued(listener) {
      listeners.push(listener);
    },
    async claim(kind, limit, leaseMs) {
      // SKIP LOCKED: instances dispatching at once take different rows.
      const { rows } = await q.query<ItemRow>(
        `WITH due AS (
           SELECT id FROM outbox WHERE done_at IS NULL AND due_at <= now() AND kind = $3
           ORDER BY due_at, id LIMIT $1 FOR UPDATE SKIP LOCKED
         )
         UPDATE outbox o SET due_at = now() + make_interval(secs => $2::float8 / 1000)
         FROM due WHERE o.id = due.id
         RETURNING o.id::text AS id, o.program_id, o.customer_id, o.kind, o.attempts`,
        [limit, leaseMs, kind],
      );
      return rows.map((r) => ({
        id: r.id,
        programId: r.program_id,
        customerId: r.customer_id,
        kind: r.kind,
        attempts: r.attempts,
      }));
    },
    async done(ids) {
      await q.query('UPDATE outbox SET done_at = now() WHERE id = ANY($1::bigint[])', [ids]);
    },
    async retry(ids, delayMs, error) {
      await q.query(
        `UPDATE outbox SET due_at = now() + make_interval(secs => $2::float8 / 1000),
           attempts = attempts + CASE WHEN $3::text IS NULL THEN 0 ELSE 1 END,
           last_error = coalesce($3, last_error)
         WHERE id = ANY($1::bigint[])`,
        [ids, delayMs, error ?? null],
      );
    },
    async lastPushAges(programId, customerIds) {
      const ages = new Map<string, number>();
      if (customerIds.length === 0) return ages;
      const { rows } = await q.query<{ customer_id: string; age: number }>(
        `SELECT customer_id, (extract(epoch FROM now() - pushed_at) * 1000)::float8 AS age FROM pass_pushes
         WHERE program_id = $1 AND customer_id = ANY($2::text[])`,
        [programId, customerIds],
      );
      for (const r of rows) ages.set(r.customer_id, Number(r.age));
      return ages;
    },
    async recordPushes(programId, customerIds) {
      if (customerIds.length === 0) return;
      await q.query(
        `INSERT INTO pass_pushes (program_id, customer_id, pushed_at)
         SELECT $1, c, now() FROM unnest($2::text[]) AS c
         ON CONFLICT (program_id, customer_id) DO UPDATE SET pushed_at = EXCLUDED.pushed_at`,
        [programId, [...new Set(customerIds)]],
      );
    },
    async recordPushCounts(programId, at, counts) {
      if (counts.sent === 0 && counts.failed === 0) return;
      await q.query(
        `INSERT INTO apple_push_counts AS a (program_id, hour, sent, failed)
         VALUES ($1, date_trunc('hour', $2::timestamptz, 'UTC'), $3, $4)
         ON CONFLICT (program_id, hour) DO UPDATE SET sent = a.sent + $3, failed = a.failed + $4`,
        [programId, at, counts.sent, counts.failed],
      );
    },
    async retryEach(rows) {
      if (rows.length === 0) return;
      await q.query(
        `UPDATE outbox o SET due_at = now() + make_interval(secs => v.delay_ms / 1000),
           attempts = o.attempts + CASE WHEN v.error IS NULL THEN 0 ELSE 1 END,
           last_error = coalesce(v.error, o.last_error)
         FROM unnest($1::bigint[], $2::float8[], $3::text[]) AS v(id, delay_ms, error)
         WHERE o.id = v.id`,
        [rows.map((r) => r.id), rows.map((r) => r.delayMs), rows.map((r) => r.error ?? null)],
      );
    },
  };
}
