/**
 * The webhook dispatcher's view of the deliveries, across programs: claim due ones with a lease
 * (SKIP LOCKED, like the outbox), and record a batch of attempts set-based.
 */
import type { ClaimedDelivery, WebhookDispatchRepository } from '../webhook-port.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam } from './sql-values.js';

/**
 * Due ($3 live, the test clock for test programs) pending deliveries of enabled subscriptions
 * that are the head of their queue — the oldest pending delivery of their customer to their
 * subscription (per-customer order) — oldest due first; leased (database time) so other
 * dispatchers skip them.
 *
 * Shaped so that no plan is worse than linear in the pending rows, whatever the statistics say
 * (a burst into a quiet table leaves them stale, and plans built on "1 row" estimates walked
 * the pending rows once per candidate: seconds per claim at 5,000 pending). Heads: one ordered
 * pass (DISTINCT ON; leased and not-yet-due rows included, a leased head still holds its
 * queue). Each head's subscription and program: primary-key probes in a subquery. The chosen
 * ids: locked by primary key (`= ANY`), re-checked under the lock (state, lease).
 */
const CLAIM_SQL = `
WITH heads AS MATERIALIZED (
  SELECT DISTINCT ON (program_id, subscription_id, customer_id)
    id, program_id, subscription_id, due_at, leased_until
  FROM webhook_deliveries
  WHERE state = 'pending' AND ($4::text IS NULL OR program_id = $4)
  ORDER BY program_id, subscription_id, customer_id, id
), picked AS (
  SELECT h.id FROM heads h
  WHERE (h.leased_until IS NULL OR h.leased_until < now())
    AND h.due_at <= (
      SELECT CASE WHEN p.mode = 'test' THEN coalesce(p.clock_now, $3) ELSE $3 END
      FROM webhook_subscriptions s JOIN programs p ON p.id = s.program_id
      WHERE s.program_id = h.program_id AND s.id = h.subscription_id AND s.state = 'enabled')
  ORDER BY h.due_at, h.id
  LIMIT $1
), due AS (
  SELECT d.id FROM webhook_deliveries d
  WHERE d.id = ANY (ARRAY(SELECT id FROM picked)) AND d.state = 'pending'
    AND (d.leased_until IS NULL OR d.leased_until < now())
  FOR UPDATE SKIP LOCKED
)
UPDATE webhook_deliveries d SET leased_until = now() + make_interval(secs => $2::float8 / 1000)
FROM due, webhook_events e, webhook_subscriptions s, programs p
WHERE d.id = due.id AND e.program_id = d.program_id AND e.id = d.event_id
  AND s.program_id = d.program_id AND s.id = d.subscription_id AND p.id = d.program_id
RETURNING d.id::text AS id, d.program_id, p.mode, d.subscription_id, s.url, s.format, s.secret,
  s.previous_secret, s.previous_secret_until, d.customer_id,
  e.id AS event_id, e.type, e.data, e.occurred_at, d.attempts, d.due_at, d.first_attempt_at, s.failing_since`;

interface ClaimRow {
  id: string;
  program_id: string;
  mode: 'live' | 'test';
  subscription_id: string;
  url: string;
  format: ClaimedDelivery['format'];
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
  customer_id: string | null;
  event_id: string;
  type: ClaimedDelivery['event']['type'];
  data: Record<string, unknown>;
  occurred_at: Date;
  attempts: number;
  due_at: Date;
  first_attempt_at: Date | null;
  failing_since: Date | null;
}

/**
 * The outcomes ($1) in one statement: the attempts log, each delivery's new state (only while
 * still pending: an unsubscribe meanwhile wins), each subscription's failing streak (any success
 * ends it) and disabling. The ids again as $2 give the delivery update a primary-key plan even
 * when the table's statistics are stale.
 */
const COMPLETE_SQL = `
WITH o AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS o(id bigint, program_id text, subscription_id text,
    customer_id text, at timestamptz, status int, error text, duration_ms int, result text,
    next_due_at timestamptz, disable text)
), logged AS (
  INSERT INTO webhook_attempts (delivery_id, attempted_at, status, error, duration_ms)
  SELECT id, at, status, error, duration_ms FROM o ORDER BY id
), moved AS (
  UPDATE webhook_deliveries d SET
    state = CASE o.result WHEN 'retry' THEN 'pending' ELSE o.result END,
    attempts = d.attempts + 1,
    due_at = coalesce(o.next_due_at, d.due_at),
    leased_until = NULL,
    first_attempt_at = coalesce(d.first_attempt_at, o.at),
    last_attempt_at = o.at,
    last_status = o.status,
    last_error = o.error,
    done_at = CASE WHEN o.result = 'retry' THEN NULL ELSE o.at END
  FROM o WHERE d.id = o.id AND d.id = ANY ($2::bigint[]) AND d.state = 'pending'
), subs AS (
  SELECT program_id, subscription_id, bool_or(result = 'delivered') AS ok,
    min(at) FILTER (WHERE result <> 'delivered') AS first_failure, max(disable) AS disable, max(at) AS at
  FROM o GROUP BY program_id, subscription_id
)
UPDATE webhook_subscriptions s SET
    failing_since = CASE WHEN subs.ok THEN NULL ELSE coalesce(s.failing_since, subs.first_failure) END,
    state = CASE WHEN subs.disable IS NOT NULL AND s.state = 'enabled' THEN 'disabled' ELSE s.state END,
    disabled_reason = CASE WHEN subs.disable IS NOT NULL AND s.state = 'enabled' THEN subs.disable
      ELSE s.disabled_reason END,
    disabled_at = CASE WHEN subs.disable IS NOT NULL AND s.state = 'enabled' THEN subs.at ELSE s.disabled_at END,
    updated_at = CASE WHEN subs.disable IS NOT NULL AND s.state = 'enabled' THEN subs.at ELSE s.updated_at END
FROM subs WHERE s.program_id = subs.program_id AND s.id = subs.subscription_id`;

/**
 * Test programs ($1: the completed deliveries): the customer's next delivery to the subscription
 * is not due before this attempt's time, so a test clock's attempts follow each other.
 */
const TEST_CLOCK_ORDER_SQL = `
UPDATE webhook_deliveries d SET due_at = greatest(d.due_at, o.at)
FROM jsonb_to_recordset($1::jsonb) AS o(id bigint, program_id text, subscription_id text, customer_id text,
  at timestamptz)
WHERE d.program_id = o.program_id AND d.subscription_id = o.subscription_id
  AND d.customer_id = o.customer_id AND d.state = 'pending' AND d.id > o.id AND d.due_at < o.at`;

export function webhookDispatchRepository(
  q: SqlQuery,
  listeners: (() => void)[] = [],
): WebhookDispatchRepository {
  return {
    onQueued(listener) {
      listeners.push(listener);
    },
    async claim({ limit, leaseMs, now, programId }) {
      const { rows } = await q.query<ClaimRow>(CLAIM_SQL, [limit, leaseMs, now, programId ?? null]);
      return rows.map((r) => ({
        id: r.id,
        programId: r.program_id,
        programMode: r.mode,
        subscriptionId: r.subscription_id,
        url: r.url,
        format: r.format,
        secret: r.secret,
        previousSecret: r.previous_secret,
        previousSecretUntil: r.previous_secret_until,
        customerId: r.customer_id,
        event: { id: r.event_id, type: r.type, data: r.data, occurredAt: r.occurred_at },
        attempts: r.attempts,
        dueAt: r.due_at,
        firstAttemptAt: r.first_attempt_at,
        failingSince: r.failing_since,
      }));
    },
    async complete(outcomes) {
      if (outcomes.length === 0) return;
      const param = jsonParam(
        outcomes.map((o) => ({
          id: o.delivery.id,
          program_id: o.delivery.programId,
          subscription_id: o.delivery.subscriptionId,
          customer_id: o.delivery.customerId,
          at: o.at.toISOString(),
          status: o.status,
          error: o.error,
          duration_ms: Math.round(o.durationMs),
          result: o.result,
          next_due_at: o.nextDueAt?.toISOString() ?? null,
          disable: o.disable,
        })),
      );
      await q.query(COMPLETE_SQL, [param, outcomes.map((o) => o.delivery.id)]);
      const testDone = outcomes.filter((o) => o.delivery.programMode === 'test' && o.result !== 'retry');
      if (testDone.length > 0) {
        const done = testDone.map((o) => ({
          id: o.delivery.id,
          program_id: o.delivery.programId,
          subscription_id: o.delivery.subscriptionId,
          customer_id: o.delivery.customerId,
          at: o.at.toISOString(),
        }));
        await q.query(TEST_CLOCK_ORDER_SQL, [jsonParam(done)]);
      }
    },
  };
}
