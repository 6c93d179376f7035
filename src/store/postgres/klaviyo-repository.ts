/** A program's Klaviyo connection and the Klaviyo rows of the outbox (migration 034, decision 0044). */
import type {
  KlaviyoConnectionRecord,
  KlaviyoEventRecord,
  KlaviyoOutboxItem,
  KlaviyoQueue,
  KlaviyoRepository,
} from '../klaviyo-port.js';
import type { SqlQuery } from './sql-driver.js';

interface ConnectionRow {
  program_id: string;
  api_key_sealed: string;
  key_hint: string;
  account_id: string;
  state: KlaviyoConnectionRecord['state'];
  last_error: string | null;
  connected_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'program_id, api_key_sealed, key_hint, account_id, state, last_error, connected_at, updated_at';

function connection(r: ConnectionRow): KlaviyoConnectionRecord {
  return {
    programId: r.program_id,
    apiKeySealed: r.api_key_sealed,
    keyHint: r.key_hint,
    accountId: r.account_id,
    state: r.state,
    lastError: r.last_error,
    connectedAt: r.connected_at,
    updatedAt: r.updated_at,
  };
}

export function klaviyoRepository(q: SqlQuery, programId: string): KlaviyoRepository {
  return {
    async get() {
      const { rows } = await q.query<ConnectionRow>(
        `SELECT ${COLUMNS} FROM klaviyo_connections WHERE program_id = $1`,
        [programId],
      );
      return rows[0] ? connection(rows[0]) : null;
    },
    async save(c, now) {
      const { rows } = await q.query<ConnectionRow>(
        `INSERT INTO klaviyo_connections (program_id, api_key_sealed, key_hint, account_id, state, last_error,
           connected_at, updated_at)
         VALUES ($1, $2, $3, $4, 'connected', NULL, $5, $5)
         ON CONFLICT (program_id) DO UPDATE SET api_key_sealed = EXCLUDED.api_key_sealed,
           key_hint = EXCLUDED.key_hint, account_id = EXCLUDED.account_id, state = 'connected',
           last_error = NULL, connected_at = EXCLUDED.connected_at, updated_at = EXCLUDED.updated_at
         RETURNING ${COLUMNS}`,
        [programId, c.apiKeySealed, c.keyHint, c.accountId, now],
      );
      return connection(rows[0] as ConnectionRow);
    },
    async setState(state, lastError, now) {
      const r = await q.query(
        'UPDATE klaviyo_connections SET state = $2, last_error = $3, updated_at = $4 WHERE program_id = $1',
        [programId, state, lastError, now],
      );
      return r.rowCount > 0;
    },
    async remove() {
      const r = await q.query('DELETE FROM klaviyo_connections WHERE program_id = $1', [programId]);
      return r.rowCount > 0;
    },
    async events(ids) {
      if (ids.length === 0) return [];
      const { rows } = await q.query<{
        id: string;
        customer_id: string | null;
        type: KlaviyoEventRecord['type'];
        data: Record<string, unknown>;
        occurred_at: Date;
      }>(
        `SELECT e.id, e.customer_id, e.type, e.data, e.occurred_at
         FROM unnest($2::text[]) WITH ORDINALITY AS w(id, i)
         JOIN webhook_events e ON e.program_id = $1 AND e.id = w.id
         ORDER BY w.i`,
        [programId, ids],
      );
      return rows.map(
        (r): KlaviyoEventRecord => ({
          id: r.id,
          customerId: r.customer_id,
          type: r.type,
          data: r.data,
          occurredAt: r.occurred_at,
        }),
      );
    },
  };
}

/**
 * SKIP LOCKED: instances claiming at once take different rows. A row is left out while an earlier
 * row of its customer is not due (leased by another claim or backing off), so a customer's rows
 * go out in id order.
 */
const CLAIM_SQL = `
WITH due AS (
  SELECT o.id FROM outbox o
  WHERE o.done_at IS NULL AND o.due_at <= now() AND o.kind = 'klaviyo_profile_changed'
    AND ($3::text IS NULL OR o.program_id = $3)
    AND NOT EXISTS (
      SELECT 1 FROM outbox e
      WHERE e.kind = 'klaviyo_profile_changed' AND e.done_at IS NULL AND e.program_id = o.program_id
        AND e.customer_id = o.customer_id AND e.id < o.id AND e.due_at > now())
  ORDER BY o.id LIMIT $1 FOR UPDATE SKIP LOCKED
)
UPDATE outbox o SET due_at = now() + make_interval(secs => $2::float8 / 1000)
FROM due WHERE o.id = due.id
RETURNING o.id::text AS id, o.program_id, o.customer_id, o.kind, o.attempts, o.event_id`;

export function klaviyoQueue(q: SqlQuery): KlaviyoQueue {
  return {
    async claim(limit, leaseMs, programId) {
      const { rows } = await q.query<{
        id: string;
        program_id: string;
        customer_id: string;
        kind: KlaviyoOutboxItem['kind'];
        attempts: number;
        event_id: string | null;
      }>(CLAIM_SQL, [limit, leaseMs, programId ?? null]);
      return rows
        .map(
          (r): KlaviyoOutboxItem => ({
            id: r.id,
            programId: r.program_id,
            customerId: r.customer_id,
            kind: r.kind,
            attempts: r.attempts,
            eventId: r.event_id,
          }),
        )
        .sort((a, b) => Number(a.id) - Number(b.id));
    },
  };
}
