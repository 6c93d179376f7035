/**
 * Storing decided outcomes (domain/customer-outcome.ts, docs/decisions/0038): for any number of
 * customers, ONE statement writes their ledger entries, moves their balances by exactly the
 * entries' deltas, stores new placements, tier changes and closed cycles, queues the wallet pass
 * refreshes for the passes they hold (Apple passes on a device, Google objects) and stores their
 * webhook events with one pending delivery per enabled subscription that wants the type. Nothing
 * here decides what a change causes: it stores what the outcome says.
 *
 * The same statement serves one event (an adjustment, a refund), a group of orders committed
 * together (with the orders themselves: `ORDERS_AND_OUTCOMES_SQL`, where only new orders' outcomes
 * are stored) and a whole batch of a recalculation run. Both texts are built once, at load, from
 * the same parts.
 */
import type { OutcomeToStore } from '../outcome-port.js';
import type { NewOrder } from '../records.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam } from './sql-values.js';

/** Units ($2): one per outcome, `u` its index. */
const UNIT_INPUT = `SELECT * FROM jsonb_to_recordset($2::jsonb) AS u(
    u int, customer_id text, at timestamptz, placed boolean, tier_id text, tier_tags text[],
    tier_since timestamptz, reason text, bonused text[], cycle_closed_at timestamptz,
    apple boolean, google boolean, writes_row boolean)`;

/**
 * Everything after the units to store are known (CTE `live`: u, customer_id); the statement ends
 * with `SELECT … FROM moved` so callers learn each unit's new balances.
 */
const STORE_LIVE_UNITS = `
ins AS (
  INSERT INTO ledger_entries (program_id, customer_id, type, key, order_id, base, multiplier, points,
    d_current, d_carry, d_lifetime_earned, d_lifetime_spend, reason, tier_id, at)
  SELECT $1, l.customer_id, e.type, e.key, e.order_id, e.base, e.multiplier, e.points,
    e.d_current, e.d_carry, e.d_lifetime_earned, e.d_lifetime_spend, e.reason, e.tier_id, e.at
  FROM jsonb_to_recordset($3::jsonb) AS e(
    u int, i int, type text, key text, order_id text, base bigint, multiplier numeric, points bigint,
    d_current bigint, d_carry bigint, d_lifetime_earned bigint, d_lifetime_spend bigint,
    reason text, tier_id text, at timestamptz)
  JOIN live l ON l.u = e.u
  ORDER BY e.u, e.i
  RETURNING customer_id, d_current, d_carry, d_lifetime_earned, d_lifetime_spend, at
), total AS (
  SELECT customer_id,
    coalesce(sum(d_current), 0)::bigint AS d_current,
    coalesce(sum(d_carry), 0)::bigint AS d_carry,
    coalesce(sum(d_lifetime_earned), 0)::bigint AS d_lifetime_earned,
    coalesce(sum(d_lifetime_spend), 0)::bigint AS d_lifetime_spend,
    max(at) FILTER (WHERE d_lifetime_earned > 0) AS earned_at
  FROM ins GROUP BY customer_id
), changes AS (
  INSERT INTO tier_changes (program_id, customer_id, from_tier_id, to_tier_id, direction, reason, facts, at)
  SELECT $1, l.customer_id, t.from_tier_id, t.to_tier_id, t.direction, t.reason, t.facts, t.at
  FROM jsonb_to_recordset($4::jsonb) AS t(
    u int, from_tier_id text, to_tier_id text, direction text, reason text, facts jsonb, at timestamptz)
  JOIN live l ON l.u = t.u
  ORDER BY t.u
  RETURNING 1
), refresh AS (
  SELECT l.customer_id, unit.apple, unit.google FROM live l JOIN unit ON unit.u = l.u
  WHERE unit.apple OR unit.google
), queued AS (
  INSERT INTO outbox (program_id, customer_id, kind, due_at, created_at)
  SELECT $1, p.customer_id, 'apple_pass_changed', now(), now()
  FROM passes p JOIN refresh r ON r.apple AND p.customer_id = r.customer_id
  WHERE p.program_id = $1
    AND EXISTS (SELECT 1 FROM pass_registrations g WHERE g.program_id = $1 AND g.serial = p.serial)
  UNION ALL
  SELECT $1, g.customer_id, 'google_object_changed', now(), now()
  FROM google_wallet_objects g JOIN refresh r ON r.google AND g.customer_id = r.customer_id
  WHERE g.program_id = $1
  RETURNING 1
), ev_input AS (
  -- gen_random_uuid() is volatile: PostgreSQL evaluates this CTE once, so both inserts agree on ids.
  SELECT ev.u, ev.i, l.customer_id, ev.type, ev.data, ev.at,
    'evt_' || replace(gen_random_uuid()::text, '-', '') AS event_id
  FROM jsonb_to_recordset($5::jsonb) AS ev(u int, i int, type text, data jsonb, at timestamptz)
  JOIN live l ON l.u = ev.u
), matched AS (
  SELECT e.u, e.i, e.event_id, e.customer_id, e.at, s.id AS subscription_id
  FROM ev_input e JOIN webhook_subscriptions s
    ON s.program_id = $1 AND s.state = 'enabled' AND e.type = ANY (s.events)
), events AS (
  INSERT INTO webhook_events (program_id, id, customer_id, type, data, occurred_at)
  SELECT $1, e.event_id, e.customer_id, e.type, e.data, e.at
  FROM ev_input e WHERE EXISTS (SELECT 1 FROM matched m WHERE m.u = e.u AND m.i = e.i)
  ORDER BY e.u, e.i
  RETURNING 1
), deliveries AS (
  INSERT INTO webhook_deliveries (program_id, subscription_id, event_id, customer_id, state, due_at)
  SELECT $1, m.subscription_id, m.event_id, m.customer_id, 'pending', m.at
  FROM matched m ORDER BY m.u, m.i, m.subscription_id
  RETURNING 1
), moved AS (
  UPDATE customers c SET
    tier_id = CASE WHEN x.placed THEN x.tier_id ELSE c.tier_id END,
    tier_tags = CASE WHEN x.placed THEN x.tier_tags ELSE c.tier_tags END,
    tier_since = CASE WHEN x.placed THEN x.tier_since ELSE c.tier_since END,
    last_change_reason = CASE WHEN x.placed THEN x.reason ELSE c.last_change_reason END,
    bonused_tier_ids = CASE WHEN x.placed THEN x.bonused ELSE c.bonused_tier_ids END,
    current = c.current + coalesce(x.d_current, 0),
    carry = c.carry + coalesce(x.d_carry, 0),
    lifetime_earned = c.lifetime_earned + coalesce(x.d_lifetime_earned, 0),
    lifetime_spend = c.lifetime_spend + coalesce(x.d_lifetime_spend, 0),
    last_earned_at = greatest(c.last_earned_at, x.earned_at),
    carry_since = greatest(c.carry_since, x.cycle_closed_at),
    updated_at = greatest(c.updated_at, x.at)
  FROM (
    SELECT l.u, l.customer_id, unit.at, unit.placed, unit.tier_id, unit.tier_tags, unit.tier_since,
      unit.reason, unit.bonused, unit.cycle_closed_at, t.d_current, t.d_carry, t.d_lifetime_earned, t.d_lifetime_spend, t.earned_at
    FROM live l JOIN unit ON unit.u = l.u LEFT JOIN total t ON t.customer_id = l.customer_id
    WHERE unit.writes_row
  ) x
  WHERE c.program_id = $1 AND c.id = x.customer_id
  RETURNING x.u, c.current, c.carry, c.lifetime_earned, c.lifetime_spend
)
SELECT l.u, m.current, m.carry, m.lifetime_earned, m.lifetime_spend,
  (SELECT count(*) FROM queued)::int AS queued,
  (SELECT count(*) FROM deliveries)::int AS delivering,
  (SELECT count(*) FROM changes)::int AS changed,
  (SELECT count(*) FROM events)::int AS evented
FROM live l LEFT JOIN moved m ON m.u = l.u
ORDER BY l.u`;

/** Outcomes of existing customers, every one stored. $1 program, $2 units, $3 entries, $4 changes, $5 events. */
const OUTCOMES_SQL = `
WITH unit AS (${UNIT_INPUT}
), live AS (
  SELECT u, customer_id FROM unit
),${STORE_LIVE_UNITS}`;

/**
 * Orders ($6, `u` = the index of their outcome; ON CONFLICT DO NOTHING) and the outcomes of the
 * orders that were new: a replayed order stores nothing. One statement for a group of orders of
 * distinct customers (group commit, order-write-batch.ts).
 */
const ORDERS_AND_OUTCOMES_SQL = `
WITH unit AS (${UNIT_INPUT}
), order_input AS (
  SELECT * FROM jsonb_to_recordset($6::jsonb) AS o(
    u int, id text, customer_id text, amount bigint, placed_at timestamptz, earned_at timestamptz,
    points_awarded bigint, request_hash text, response jsonb)
), new_order AS (
  INSERT INTO orders (program_id, id, customer_id, amount, placed_at, earned_at, points_awarded,
    request_hash, response)
  SELECT $1, id, customer_id, amount, placed_at, earned_at, points_awarded, request_hash, response
  FROM order_input ORDER BY u
  ON CONFLICT (program_id, id) DO NOTHING
  RETURNING id, customer_id
), live AS (
  SELECT o.u, o.customer_id FROM order_input o
  JOIN new_order n ON n.id = o.id AND n.customer_id = o.customer_id
),${STORE_LIVE_UNITS}`;

interface StoredRow {
  u: number;
  current: number | null;
  carry: number | null;
  lifetime_earned: number | null;
  lifetime_spend: number | null;
  queued: number;
  delivering: number;
}

/** What storing a set of outcomes did. */
export interface StoreResult {
  /** Per outcome: stored (its order was new, or there was no order) and the customer's balances after. */
  stored: ({
    balances: { current: number; carry: number; lifetimeEarned: number; lifetimeSpend: number } | null;
  } | null)[];
  /** Outbox rows (wallet pass refreshes) were queued. */
  queued: boolean;
  /** Webhook deliveries were queued. */
  delivering: boolean;
}

function params(programId: string, outcomes: readonly OutcomeToStore[]): unknown[] {
  const units = outcomes.map((o, u) => ({
    u,
    customer_id: o.customerId,
    at: o.at.toISOString(),
    placed: o.placement !== null,
    tier_id: o.placement?.tierId ?? null,
    tier_tags: o.placement?.tierTags ?? null,
    tier_since: o.placement?.tierSince.toISOString() ?? null,
    reason: o.placement?.lastChangeReason ?? null,
    bonused: o.placement?.bonusedTierIds ?? null,
    cycle_closed_at: o.cycleClosedAt?.toISOString() ?? null,
    apple: o.passes.includes('apple'),
    google: o.passes.includes('google'),
    writes_row: o.entries.length > 0 || o.placement !== null || o.cycleClosedAt !== null,
  }));
  const entries = outcomes.flatMap((o, u) =>
    o.entries.map((e, i) => ({
      u,
      i,
      type: e.type,
      key: e.key,
      order_id: e.orderId,
      base: e.base,
      multiplier: e.multiplier,
      points: e.points,
      d_current: e.delta.current,
      d_carry: e.delta.carry,
      d_lifetime_earned: e.delta.lifetimeEarned,
      d_lifetime_spend: e.delta.lifetimeSpend,
      reason: e.reason,
      tier_id: e.tierId,
      at: e.at.toISOString(),
    })),
  );
  const changes = outcomes.flatMap((o, u) =>
    o.change
      ? [
          {
            u,
            from_tier_id: o.change.fromTierId,
            to_tier_id: o.change.toTierId,
            direction: o.change.direction,
            reason: o.change.reason,
            facts: o.change.facts,
            at: o.change.at.toISOString(),
          },
        ]
      : [],
  );
  const events = outcomes.flatMap((o, u) =>
    o.events.map((e, i) => ({ u, i, type: e.type, data: e.data, at: e.at.toISOString() })),
  );
  return [programId, jsonParam(units), jsonParam(entries), jsonParam(changes), jsonParam(events)];
}

function result(rows: readonly StoredRow[], count: number, units: readonly OutcomeToStore[]): StoreResult {
  const stored: StoreResult['stored'] = Array.from({ length: count }, () => null);
  for (const r of rows) {
    const unit = units[r.u];
    const writesRow =
      unit !== undefined &&
      (unit.entries.length > 0 || unit.placement !== null || unit.cycleClosedAt !== null);
    // A unit that moves the customer's row must have found it (the caller holds its lock).
    if (writesRow && r.current === null) throw new Error(`customer ${unit?.customerId} not found`);
    stored[r.u] = {
      balances:
        r.current === null
          ? null
          : {
              current: r.current,
              carry: r.carry ?? 0,
              lifetimeEarned: r.lifetime_earned ?? 0,
              lifetimeSpend: r.lifetime_spend ?? 0,
            },
    };
  }
  const first = rows[0];
  return { stored, queued: (first?.queued ?? 0) > 0, delivering: (first?.delivering ?? 0) > 0 };
}

/**
 * Store `outcomes` (of distinct customers, whose rows the caller has locked) in one statement. A
 * ledger key that exists fails the statement and stores nothing.
 */
export async function storeOutcomes(
  q: SqlQuery,
  programId: string,
  outcomes: readonly OutcomeToStore[],
): Promise<StoreResult> {
  if (outcomes.length === 0) return { stored: [], queued: false, delivering: false };
  const { rows } = await q.query<StoredRow>(OUTCOMES_SQL, params(programId, outcomes));
  return result(rows, outcomes.length, outcomes);
}

/** An order with the outcome to store when it is new. */
export interface OrderWithOutcome {
  order: NewOrder;
  outcome: OutcomeToStore;
}

/**
 * Insert the orders (of distinct customers) and store the outcome of each one that is new, in one
 * statement. `stored[i]` is null for an order that existed (a replay: nothing written).
 */
export async function storeOrdersWithOutcomes(
  q: SqlQuery,
  programId: string,
  writes: readonly OrderWithOutcome[],
): Promise<StoreResult> {
  const outcomes = writes.map((w) => w.outcome);
  const orders = writes.map(({ order: o }, u) => ({
    u,
    id: o.id,
    customer_id: o.customerId,
    amount: o.amount,
    placed_at: o.placedAt.toISOString(),
    earned_at: o.earnedAt.toISOString(),
    points_awarded: o.pointsAwarded,
    request_hash: o.requestHash,
    response: o.response,
  }));
  const { rows } = await q.query<StoredRow>(ORDERS_AND_OUTCOMES_SQL, [
    ...params(programId, outcomes),
    jsonParam(orders),
  ]);
  return result(rows, writes.length, outcomes);
}
