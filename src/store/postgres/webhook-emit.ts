/**
 * The webhook event writer (SPEC 5): events and their deliveries in ONE statement, inside the
 * transaction of the change, so a change and its announcement commit together or not at all.
 */
import type { NewWebhookEvent, WebhookTxRepository } from '../webhook-port.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam } from './sql-values.js';

/**
 * Events ($2) of program $1 matched with the program's enabled subscriptions that want their
 * type; only matched events are stored, each with a new stable id, and one pending delivery per
 * match, due at the event's program time. `e` holds a volatile function, so PostgreSQL
 * materialises it once and the event ids agree between the two inserts. The customer's id,
 * email and balances are read from its row as this statement sees it (the transaction's writes
 * included).
 */
const EMIT_SQL = `
WITH e AS (
  SELECT e.i, e.customer_id, e.type, e.data, e.at,
    'evt_' || replace(gen_random_uuid()::text, '-', '') AS event_id
  FROM jsonb_to_recordset($2::jsonb) AS e(i int, customer_id text, type text, data jsonb, at timestamptz)
), m AS (
  SELECT e.i, e.event_id, e.customer_id, e.at, s.id AS subscription_id
  FROM e JOIN webhook_subscriptions s
    ON s.program_id = $1 AND s.state = 'enabled' AND e.type = ANY (s.events)
), ev AS (
  INSERT INTO webhook_events (program_id, id, customer_id, type, data, occurred_at)
  SELECT $1, e.event_id, e.customer_id, e.type,
    e.data || jsonb_build_object(
      'customer', jsonb_build_object('id', e.customer_id, 'email', c.email),
      'balances', CASE WHEN c.id IS NULL THEN NULL ELSE jsonb_build_object(
        'current', c.current, 'carry', c.carry,
        'lifetimeEarned', c.lifetime_earned, 'lifetimeSpend', c.lifetime_spend) END),
    e.at
  FROM e LEFT JOIN customers c ON c.program_id = $1 AND c.id = e.customer_id
  WHERE e.i IN (SELECT i FROM m)
  ORDER BY e.i
)
INSERT INTO webhook_deliveries (program_id, subscription_id, event_id, customer_id, state, due_at)
SELECT $1, m.subscription_id, m.event_id, m.customer_id, 'pending', m.at
FROM m ORDER BY m.i, m.subscription_id`;

/**
 * Store webhook events and their deliveries set-based (usable from batch writes such as
 * run-batch.ts); returns the number of deliveries queued (0: no subscription wanted any).
 */
export async function emitWebhookEvents(
  q: SqlQuery,
  programId: string,
  events: readonly NewWebhookEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  const param = jsonParam(
    events.map((e, i) => ({
      i,
      customer_id: e.customerId,
      type: e.type,
      data: e.data,
      at: e.at.toISOString(),
    })),
  );
  return (await q.query(EMIT_SQL, [programId, param])).rowCount;
}

/** Webhook writes of one program's transaction; `queued` is told when a delivery was written. */
export function webhookTxRepository(
  q: SqlQuery,
  programId: string,
  queued?: () => void,
): WebhookTxRepository {
  return {
    async emit(events) {
      if ((await emitWebhookEvents(q, programId, events)) > 0) queued?.();
    },
  };
}
