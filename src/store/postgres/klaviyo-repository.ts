/** A program's Klaviyo connection and the Klaviyo rows of the outbox (migration 034, decision 0044). */
import type {
  KlaviyoConnectionRecord,
  KlaviyoEventRecord,
  KlaviyoOutboxItem,
  KlaviyoQueue,
  KlaviyoRepository,
  KlaviyoSyncRecord,
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

interface SyncRow {
  program_id: string;
  id: string;
  state: KlaviyoSyncRecord['state'];
  cursor: string | null;
  total: number;
  sent: number;
  skipped: number;
  jobs: number;
  attempts: number;
  last_error: string | null;
  retry_at: Date | null;
  worker: string | null;
  lease_until: Date | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const SYNC_COLUMNS =
  'program_id, id, state, cursor, total, sent, skipped, jobs, attempts, last_error, retry_at, worker, lease_until, started_at, updated_at, finished_at';

function syncRecord(r: SyncRow): KlaviyoSyncRecord {
  return {
    programId: r.program_id,
    id: r.id,
    state: r.state,
    cursor: r.cursor,
    total: r.total,
    sent: r.sent,
    skipped: r.skipped,
    jobs: r.jobs,
    attempts: r.attempts,
    lastError: r.last_error,
    retryAt: r.retry_at,
    worker: r.worker,
    leaseUntil: r.lease_until,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

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
    async redacted(customerIds) {
      if (customerIds.length === 0) return [];
      const { rows } = await q.query<{ id: string }>(
        'SELECT id FROM customers WHERE program_id = $1 AND id = ANY($2::text[]) AND redacted_at IS NOT NULL',
        [programId, customerIds],
      );
      return rows.map((r) => r.id);
    },
    async customerPage(after, limit) {
      const { rows } = await q.query<{ id: string; redacted: boolean }>(
        `SELECT id, redacted_at IS NOT NULL AS redacted FROM customers
         WHERE program_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
        [programId, after, limit],
      );
      return rows;
    },
    async sync() {
      const { rows } = await q.query<SyncRow>(
        `SELECT ${SYNC_COLUMNS} FROM klaviyo_syncs WHERE program_id = $1`,
        [programId],
      );
      return rows[0] ? syncRecord(rows[0]) : null;
    },
    async startSync(s, now) {
      const { rows } = await q.query<SyncRow>(
        `INSERT INTO klaviyo_syncs (program_id, id, state, cursor, total, worker, lease_until, started_at, updated_at)
         VALUES ($1, $2, 'running', NULL, $3, $4, $5, $6, $6)
         ON CONFLICT (program_id) DO UPDATE SET id = EXCLUDED.id, state = 'running', cursor = NULL,
           total = EXCLUDED.total, sent = 0, skipped = 0, jobs = 0, attempts = 0, last_error = NULL,
           retry_at = NULL, worker = EXCLUDED.worker, lease_until = EXCLUDED.lease_until,
           started_at = EXCLUDED.started_at, updated_at = EXCLUDED.updated_at, finished_at = NULL
         WHERE klaviyo_syncs.state <> 'running'
         RETURNING ${SYNC_COLUMNS}`,
        [programId, s.id, s.total, s.worker, s.leaseUntil, now],
      );
      return rows[0] ? syncRecord(rows[0]) : null;
    },
    async claimSync(id, worker, leaseUntil, now) {
      const { rows } = await q.query<SyncRow>(
        `UPDATE klaviyo_syncs SET worker = $3, lease_until = $4
         WHERE program_id = $1 AND id = $2 AND state = 'running'
           AND (worker = $3 OR lease_until IS NULL OR lease_until < $5)
           AND (retry_at IS NULL OR retry_at <= $5)
         RETURNING ${SYNC_COLUMNS}`,
        [programId, id, worker, leaseUntil, now],
      );
      return rows[0] ? syncRecord(rows[0]) : null;
    },
    async saveSync(id, worker, patch, now) {
      const has = (k: keyof typeof patch) => k in patch;
      const { rows } = await q.query<SyncRow>(
        `UPDATE klaviyo_syncs SET
           state = CASE WHEN $4 THEN $5 ELSE state END,
           cursor = CASE WHEN $6 THEN $7 ELSE cursor END,
           sent = coalesce($8, sent), skipped = coalesce($9, skipped), jobs = coalesce($10, jobs),
           attempts = coalesce($11, attempts),
           last_error = CASE WHEN $12 THEN $13 ELSE last_error END,
           retry_at = CASE WHEN $14 THEN $15::timestamptz ELSE retry_at END,
           finished_at = CASE WHEN $16 THEN $17::timestamptz ELSE finished_at END,
           lease_until = $18, worker = CASE WHEN $18::timestamptz IS NULL THEN NULL ELSE worker END,
           updated_at = $19
         WHERE program_id = $1 AND id = $2 AND worker = $3 AND state = 'running'
         RETURNING ${SYNC_COLUMNS}`,
        [
          programId,
          id,
          worker,
          has('state'),
          patch.state ?? null,
          has('cursor'),
          patch.cursor ?? null,
          patch.sent ?? null,
          patch.skipped ?? null,
          patch.jobs ?? null,
          patch.attempts ?? null,
          has('lastError'),
          patch.lastError ?? null,
          has('retryAt'),
          patch.retryAt ?? null,
          has('finishedAt'),
          patch.finishedAt ?? null,
          patch.leaseUntil,
          now,
        ],
      );
      return rows[0] ? syncRecord(rows[0]) : null;
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
RETURNING o.id::text AS id, o.program_id, o.customer_id, o.kind, o.attempts, o.event_id, o.erasure_sealed`;

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
        erasure_sealed: string | null;
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
            erasureSealed: r.erasure_sealed,
          }),
        )
        .sort((a, b) => Number(a.id) - Number(b.id));
    },
    async done(ids) {
      await q.query('UPDATE outbox SET done_at = now(), erasure_sealed = NULL WHERE id = ANY($1::bigint[])', [
        ids,
      ]);
    },
    async syncsToResume(now, limit) {
      const { rows } = await q.query<{ program_id: string; id: string }>(
        `SELECT program_id, id FROM klaviyo_syncs
         WHERE state = 'running' AND (lease_until IS NULL OR lease_until < $1)
           AND (retry_at IS NULL OR retry_at <= $1)
         ORDER BY updated_at LIMIT $2`,
        [now, limit],
      );
      return rows.map((r) => ({ programId: r.program_id, id: r.id }));
    },
  };
}
