/** A program's webhook subscriptions and their delivery log (migration 011). */

import type { Store } from '../port.js';
import type {
  WebhookAttemptRecord,
  WebhookDeliveryRecord,
  WebhookRepository,
  WebhookSubscriptionRecord,
} from '../webhook-port.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam, one } from './sql-values.js';

interface SubscriptionRow {
  id: string;
  url: string;
  events: string[];
  format: WebhookSubscriptionRecord['format'];
  state: WebhookSubscriptionRecord['state'];
  disabled_reason: string | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  previous_secret_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

const SUBSCRIPTION_COLUMNS = `id, url, events, format, state, disabled_reason, disabled_at, failing_since,
  previous_secret_until, created_at, updated_at`;

function subscription(r: SubscriptionRow): WebhookSubscriptionRecord {
  return {
    id: r.id,
    url: r.url,
    events: r.events as WebhookSubscriptionRecord['events'],
    format: r.format,
    state: r.state,
    disabledReason: r.disabled_reason,
    disabledAt: r.disabled_at,
    failingSince: r.failing_since,
    previousSecretUntil: r.previous_secret_until,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  type: WebhookDeliveryRecord['eventType'];
  customer_id: string | null;
  state: WebhookDeliveryRecord['state'];
  due_at: Date;
  last_status: number | null;
  last_error: string | null;
  redelivery_of: string | null;
  done_at: Date | null;
  created_at: Date;
}

const DELIVERY_SELECT = `SELECT d.id::text AS id, d.subscription_id, d.event_id, e.type, d.customer_id, d.state,
  d.due_at, d.last_status, d.last_error, d.redelivery_of::text AS redelivery_of, d.done_at, d.created_at
FROM webhook_deliveries d JOIN webhook_events e ON e.program_id = d.program_id AND e.id = d.event_id`;

interface AttemptRow {
  delivery_id: string;
  attempted_at: Date;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

/** The deliveries with their attempts (one query for all of them). */
async function withAttempts(q: SqlQuery, rows: DeliveryRow[]): Promise<WebhookDeliveryRecord[]> {
  const attempts = new Map<string, WebhookAttemptRecord[]>();
  if (rows.length > 0) {
    const res = await q.query<AttemptRow>(
      `SELECT delivery_id::text AS delivery_id, attempted_at, status, error, duration_ms
       FROM webhook_attempts WHERE delivery_id = ANY($1::bigint[]) ORDER BY delivery_id, id`,
      [rows.map((r) => r.id)],
    );
    for (const a of res.rows) {
      const list = attempts.get(a.delivery_id) ?? [];
      list.push({ at: a.attempted_at, status: a.status, error: a.error, durationMs: a.duration_ms });
      attempts.set(a.delivery_id, list);
    }
  }
  return rows.map((r) => ({
    id: r.id,
    subscriptionId: r.subscription_id,
    eventId: r.event_id,
    eventType: r.type,
    customerId: r.customer_id,
    state: r.state,
    dueAt: r.due_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
    redeliveryOf: r.redelivery_of,
    doneAt: r.done_at,
    createdAt: r.created_at,
    attempts: attempts.get(r.id) ?? [],
  }));
}

/** One delivery by id, with its attempts. */
async function deliveryById(q: SqlQuery, id: string): Promise<WebhookDeliveryRecord> {
  const found = await q.query<DeliveryRow>(`${DELIVERY_SELECT} WHERE d.id = $1::bigint`, [id]);
  return one(await withAttempts(q, found.rows), 'delivery');
}

/**
 * A ping ($3 data) to subscription $2 if enabled: its event (no customer, a new stable id) and
 * one pending delivery due at $4, in one statement.
 */
const PING_SQL = `
WITH s AS (
  SELECT program_id, id FROM webhook_subscriptions WHERE program_id = $1 AND id = $2 AND state = 'enabled'
), ev AS (
  INSERT INTO webhook_events (program_id, id, customer_id, type, data, occurred_at)
  SELECT s.program_id, 'evt_' || replace(gen_random_uuid()::text, '-', ''), NULL, 'ping', $3::jsonb, $4 FROM s
  RETURNING program_id, id
)
INSERT INTO webhook_deliveries (program_id, subscription_id, event_id, customer_id, state, due_at)
SELECT ev.program_id, $2, ev.id, NULL, 'pending', $4 FROM ev
RETURNING id::text AS id`;

export function webhookRepository(q: SqlQuery, programId: string): WebhookRepository {
  return {
    async create(s) {
      const { rows } = await q.query<SubscriptionRow>(
        `INSERT INTO webhook_subscriptions (program_id, id, url, events, format, secret, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'enabled', $7, $7)
         RETURNING ${SUBSCRIPTION_COLUMNS}`,
        [programId, s.id, s.url, s.events, s.format, s.secret, s.now],
      );
      return subscription(one(rows, 'subscription'));
    },
    async list() {
      const { rows } = await q.query<SubscriptionRow>(
        `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions
         WHERE program_id = $1 AND state <> 'deleted' ORDER BY created_at, id`,
        [programId],
      );
      return rows.map(subscription);
    },
    async get(id) {
      const { rows } = await q.query<SubscriptionRow>(
        `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions
         WHERE program_id = $1 AND id = $2 AND state <> 'deleted'`,
        [programId, id],
      );
      return rows[0] ? subscription(rows[0]) : null;
    },
    async remove(id, now) {
      // One statement: the subscription goes and its pending deliveries stop with it.
      const { rows } = await q.query<{ removed: boolean }>(
        `WITH gone AS (
           UPDATE webhook_subscriptions SET state = 'deleted', updated_at = $3
           WHERE program_id = $1 AND id = $2 AND state <> 'deleted' RETURNING id
         ), stopped AS (
           UPDATE webhook_deliveries SET state = 'failed', last_error = 'unsubscribed', done_at = $3,
             leased_until = NULL
           WHERE program_id = $1 AND subscription_id IN (SELECT id FROM gone) AND state = 'pending'
         )
         SELECT EXISTS (SELECT 1 FROM gone) AS removed`,
        [programId, id, now],
      );
      return rows[0]?.removed === true;
    },
    async enable(id, now) {
      const { rows } = await q.query<SubscriptionRow>(
        `UPDATE webhook_subscriptions SET state = 'enabled', disabled_reason = NULL, disabled_at = NULL,
           failing_since = NULL, updated_at = $3
         WHERE program_id = $1 AND id = $2 AND state <> 'deleted'
         RETURNING ${SUBSCRIPTION_COLUMNS}`,
        [programId, id, now],
      );
      return rows[0] ? subscription(rows[0]) : null;
    },
    async rotateSecret(id, { secret, previousUntil, now }) {
      // One statement: the old secret moves to the previous slot as the new one takes its place.
      const { rows } = await q.query<SubscriptionRow>(
        `UPDATE webhook_subscriptions SET secret = $3,
           previous_secret = CASE WHEN $4::timestamptz > $5::timestamptz THEN secret END,
           previous_secret_until = CASE WHEN $4::timestamptz > $5::timestamptz THEN $4::timestamptz END,
           updated_at = $5
         WHERE program_id = $1 AND id = $2 AND state <> 'deleted'
         RETURNING ${SUBSCRIPTION_COLUMNS}`,
        [programId, id, secret, previousUntil, now],
      );
      return rows[0] ? subscription(rows[0]) : null;
    },
    async deliveries(subscriptionId, page) {
      const { rows } = await q.query<DeliveryRow>(
        `${DELIVERY_SELECT}
         WHERE d.program_id = $1 AND d.subscription_id = $2 AND ($3::bigint IS NULL OR d.id < $3::bigint)
         ORDER BY d.id DESC LIMIT $4`,
        [programId, subscriptionId, page.cursor ?? null, page.limit + 1],
      );
      const more = rows.length > page.limit;
      const items = await withAttempts(q, rows.slice(0, page.limit));
      return { items, nextCursor: more ? (items.at(-1)?.id ?? null) : null };
    },
    async redeliver(subscriptionId, deliveryId, dueAt) {
      const { rows } = await q.query<{ id: string }>(
        `INSERT INTO webhook_deliveries (program_id, subscription_id, event_id, customer_id, state, due_at, redelivery_of)
         SELECT program_id, subscription_id, event_id, customer_id, 'pending', $4, id
         FROM webhook_deliveries WHERE program_id = $1 AND subscription_id = $2 AND id = $3::bigint
         RETURNING id::text AS id`,
        [programId, subscriptionId, deliveryId, dueAt],
      );
      return rows[0] ? deliveryById(q, rows[0].id) : null;
    },
    async ping(subscriptionId, data, at) {
      const { rows } = await q.query<{ id: string }>(PING_SQL, [
        programId,
        subscriptionId,
        jsonParam(data),
        at,
      ]);
      return rows[0] ? deliveryById(q, rows[0].id) : null;
    },
  };
}

/**
 * Store.resealWebhookSecrets: subscriptions with a secret not under `currentPrefix`, 500 at a
 * time in key order, each row rewritten only if both secrets are unchanged since read.
 */
export async function resealWebhookSecrets(
  q: SqlQuery,
  reseal: Parameters<Store['resealWebhookSecrets']>[0],
  currentPrefix: string,
): Promise<number> {
  let rewritten = 0;
  let after = { programId: '', id: '' };
  for (;;) {
    const { rows } = await q.query<{
      program_id: string;
      id: string;
      secret: string;
      previous_secret: string | null;
    }>(
      `SELECT program_id, id, secret, previous_secret FROM webhook_subscriptions
       WHERE (program_id, id) > ($1, $2)
         AND (NOT starts_with(secret, $3) OR NOT starts_with(coalesce(previous_secret, $3), $3))
       ORDER BY program_id, id LIMIT 500`,
      [after.programId, after.id, currentPrefix],
    );
    const last = rows.at(-1);
    if (!last) return rewritten;
    after = { programId: last.program_id, id: last.id };
    const changes = rows.flatMap((r) => {
      const next = reseal({
        programId: r.program_id,
        subscriptionId: r.id,
        secret: r.secret,
        previousSecret: r.previous_secret,
      });
      return next ? [{ row: r, next }] : [];
    });
    if (changes.length === 0) continue;
    const { rowCount } = await q.query(
      `UPDATE webhook_subscriptions s SET secret = v.secret, previous_secret = v.previous_secret
       FROM jsonb_to_recordset($1::jsonb) AS v(program_id text, id text, old_secret text,
         old_previous text, secret text, previous_secret text)
       WHERE s.program_id = v.program_id AND s.id = v.id AND s.secret = v.old_secret
         AND s.previous_secret IS NOT DISTINCT FROM v.old_previous`,
      [
        jsonParam(
          changes.map(({ row, next }) => ({
            program_id: row.program_id,
            id: row.id,
            old_secret: row.secret,
            old_previous: row.previous_secret,
            secret: next.secret,
            previous_secret: row.previous_secret === null ? null : next.previousSecret,
          })),
        ),
      ],
    );
    rewritten += rowCount ?? 0;
  }
}
