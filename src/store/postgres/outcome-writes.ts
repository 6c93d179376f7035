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
import { booleanArray, numberArray, textArray } from './sql-arrays.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam } from './sql-values.js';

/**
 * Units ($2–$12, one array per column, `u` the index): typed arrays through unnest, not a JSON
 * recordset. A boundary batch stores 5,000 units and 5,000 entries per statement, a million per run:
 * PostgreSQL reads typed arrays in about half the time of `jsonb_to_recordset`, and no object per
 * row is built in Node (BENCHMARKS.md, "One evaluation, one outcome"). A placement's tag lists ($9)
 * are JSON, one per placed unit.
 */
const UNIT_INPUT = `SELECT u.*, (u.u - 1)::int AS u0 FROM unnest($2::text[], $3::timestamptz[], $4::boolean[],
    $5::text[], $6::timestamptz[], $7::text[], $8::timestamptz[], $9::text[], $10::boolean[], $11::boolean[],
    $12::boolean[])
    WITH ORDINALITY AS u(customer_id, at, placed, tier_id, tier_since, reason, cycle_closed_at, lists,
      apple, google, writes_row, u)`;

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
  FROM unnest($13::int[], $14::text[], $15::text[], $16::text[], $17::bigint[], $18::numeric[], $19::bigint[],
    $20::bigint[], $21::bigint[], $22::bigint[], $23::bigint[], $24::text[], $25::text[], $26::timestamptz[])
    WITH ORDINALITY AS e(u, type, key, order_id, base, multiplier, points, d_current, d_carry,
      d_lifetime_earned, d_lifetime_spend, reason, tier_id, at, i)
  JOIN live l ON l.u = e.u
  ORDER BY e.i
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
  FROM jsonb_to_recordset($27::jsonb) AS t(
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
  UNION ALL
  -- Shopify write-back (0045): changed customers of a connected shop that takes write-backs. One
  -- row per change (the handler writes a customer once per batch, from its latest state).
  SELECT $1, l.customer_id, 'shopify_customer_changed', now(), now()
  FROM live l JOIN unit ON unit.u = l.u
  WHERE (unit.apple OR unit.google OR unit.placed)
    AND EXISTS (SELECT 1 FROM shopify_connections s WHERE s.program_id = $1 AND s.state = 'connected')
    AND NOT EXISTS (SELECT 1 FROM shopify_write_backs w WHERE w.program_id = $1 AND NOT w.enabled)
  RETURNING 1
), ev_input AS (
  -- gen_random_uuid() is volatile: PostgreSQL evaluates this CTE once, so both inserts agree on ids.
  SELECT ev.u, ev.i, l.customer_id, ev.type, ev.data, ev.at,
    'evt_' || replace(gen_random_uuid()::text, '-', '') AS event_id
  FROM jsonb_to_recordset($28::jsonb) AS ev(u int, i int, type text, data jsonb, at timestamptz)
  JOIN live l ON l.u = ev.u
), matched AS (
  SELECT e.u, e.i, e.event_id, e.customer_id, e.at, s.id AS subscription_id
  FROM ev_input e JOIN webhook_subscriptions s
    ON s.program_id = $1 AND s.state = 'enabled' AND e.type = ANY (s.events)
), events AS (
  INSERT INTO webhook_events (program_id, id, customer_id, type, data, occurred_at)
  SELECT $1, e.event_id, e.customer_id, e.type, e.data, e.at
  FROM ev_input e WHERE EXISTS (SELECT 1 FROM matched m WHERE m.u = e.u AND m.i = e.i)
    OR EXISTS (SELECT 1 FROM klaviyo_connections k WHERE k.program_id = $1)
  ORDER BY e.u, e.i
  RETURNING 1
), deliveries AS (
  INSERT INTO webhook_deliveries (program_id, subscription_id, event_id, customer_id, state, due_at)
  SELECT $1, m.subscription_id, m.event_id, m.customer_id, 'pending', m.at
  FROM matched m ORDER BY m.u, m.i, m.subscription_id
  RETURNING 1
), klaviyo_queued AS (
  -- Klaviyo (decision 0044): a row per event, then one for the profile of a customer whose
  -- balance or tier moved, in that order; only while the program has a Klaviyo connection.
  INSERT INTO outbox (program_id, customer_id, kind, due_at, created_at, event_id)
  SELECT $1, k.customer_id, 'klaviyo_profile_changed', now(), now(), k.event_id
  FROM (
    SELECT e.u, e.i, e.customer_id, e.event_id FROM ev_input e
    UNION ALL
    SELECT l.u, 2147483647, l.customer_id, NULL FROM live l JOIN unit ON unit.u = l.u
    WHERE unit.placed OR EXISTS (SELECT 1 FROM total t WHERE t.customer_id = l.customer_id)
  ) k
  WHERE EXISTS (SELECT 1 FROM klaviyo_connections c WHERE c.program_id = $1)
  ORDER BY k.u, k.i
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
  RETURNING x.u
)`;

/** Counts that make every CTE run (data-modifying CTEs run regardless; these are what callers learn). */
const COUNTS = `((SELECT count(*) FROM queued) + (SELECT count(*) FROM klaviyo_queued))::int AS queued,
  (SELECT count(*) FROM deliveries)::int AS delivering,
  (SELECT count(*) FROM changes)::int AS changed,
  (SELECT count(*) FROM events)::int AS evented`;

/** Which units were stored (`moved`: their row was found), one row each: the order variant. */
const PER_UNIT = `
SELECT l.u, m.u IS NOT NULL AS moved, ${COUNTS}
FROM live l LEFT JOIN moved m ON m.u = l.u
ORDER BY l.u`;

/** One row for the whole set: a batch of a run stores thousands of outcomes and needs no row each. */
const SUMMARY = `
SELECT (SELECT count(*) FROM unit WHERE writes_row)::int - (SELECT count(*) FROM moved)::int AS missing,
  ${COUNTS}`;

/** The units as rows (CTE `unit`), a placement's tag lists unpacked: how both statements begin. */
const WITH_UNITS = `WITH unit_in AS (${UNIT_INPUT}
), unit AS (
  SELECT u0 AS u, customer_id, at, placed, tier_id, tier_since, reason, cycle_closed_at, apple, google,
    writes_row,
    CASE WHEN placed THEN ARRAY(SELECT jsonb_array_elements_text(lists::jsonb -> 0)) END AS tier_tags,
    CASE WHEN placed THEN ARRAY(SELECT jsonb_array_elements_text(lists::jsonb -> 1)) END AS bonused
  FROM unit_in
)`;

/** Outcomes of existing customers, every one stored. $1 program, $2–$12 units, $13–$26 entries, $27 changes, $28 events. */
const OUTCOMES_SQL = `
${WITH_UNITS}, live AS (
  SELECT u, customer_id FROM unit
),${STORE_LIVE_UNITS}${SUMMARY}`;

/**
 * Orders ($29, `u` = the index of their outcome; ON CONFLICT DO NOTHING) and the outcomes of the
 * orders that were new: a replayed order stores nothing. One statement for a group of orders of
 * distinct customers (group commit, order-write-batch.ts).
 */
const ORDERS_AND_OUTCOMES_SQL = `
${WITH_UNITS}, order_input AS (
  SELECT * FROM jsonb_to_recordset($29::jsonb) AS o(
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
),${STORE_LIVE_UNITS}${PER_UNIT}`;

interface Counts {
  queued: number;
  delivering: number;
}

/** What storing a set of outcomes did. */
export interface StoreResult {
  /** Per outcome (order variant): stored, because its order was new. */
  stored: boolean[];
  /** Outbox rows (wallet pass refreshes) were queued. */
  queued: boolean;
  /** Webhook deliveries were queued. */
  delivering: boolean;
}

/**
 * ISO text of instants, remembered for the last one: a batch's units and entries mostly share one
 * instant (a boundary's, a sync's), and 10,000 identical strings per statement are pure garbage.
 */
function isoText(): (d: Date | null | undefined) => string | null {
  let last = Number.NaN;
  let text = '';
  return (d) => {
    if (!d) return null;
    const ms = d.getTime();
    if (ms !== last) {
      last = ms;
      text = d.toISOString();
    }
    return text;
  };
}

function params(programId: string, outcomes: readonly OutcomeToStore[]): unknown[] {
  const n = outcomes.length;
  const iso = isoText();
  const customerId = new Array<string>(n);
  const at = new Array<string | null>(n);
  const placed = new Array<boolean>(n);
  const tierId = new Array<string | null>(n);
  const tierSince = new Array<string | null>(n);
  const reason = new Array<string | null>(n);
  const cycleClosedAt = new Array<string | null>(n);
  const lists = new Array<string | null>(n);
  const apple = new Array<boolean>(n);
  const google = new Array<boolean>(n);
  const writesRow = new Array<boolean>(n);
  let entryCount = 0;
  for (const o of outcomes) entryCount += o.entries.length;
  // One array per entry column, filled in place (no row array per entry).
  const eU = new Array<number>(entryCount);
  const eType = new Array<string>(entryCount);
  const eKey = new Array<string>(entryCount);
  const eOrderId = new Array<string | null>(entryCount);
  const eBase = new Array<number | null>(entryCount);
  const eMultiplier = new Array<string | null>(entryCount);
  const ePoints = new Array<number>(entryCount);
  const eCurrent = new Array<number>(entryCount);
  const eCarry = new Array<number>(entryCount);
  const eEarned = new Array<number>(entryCount);
  const eSpend = new Array<number>(entryCount);
  const eReason = new Array<string | null>(entryCount);
  const eTierId = new Array<string | null>(entryCount);
  const eAt = new Array<string | null>(entryCount);
  let k = 0;
  outcomes.forEach((o, u) => {
    const p = o.placement;
    customerId[u] = o.customerId;
    at[u] = iso(o.at);
    placed[u] = p !== null;
    tierId[u] = p?.tierId ?? null;
    tierSince[u] = iso(p?.tierSince);
    reason[u] = p?.lastChangeReason ?? null;
    cycleClosedAt[u] = iso(o.cycleClosedAt);
    lists[u] = p ? JSON.stringify([p.tierTags, p.bonusedTierIds]) : null;
    apple[u] = o.passes.includes('apple');
    google[u] = o.passes.includes('google');
    writesRow[u] = o.entries.length > 0 || p !== null || o.cycleClosedAt !== null;
    for (const x of o.entries) {
      eU[k] = u;
      eType[k] = x.type;
      eKey[k] = x.key;
      eOrderId[k] = x.orderId ?? null;
      eBase[k] = x.base ?? null;
      eMultiplier[k] = x.multiplier ?? null;
      ePoints[k] = x.points;
      eCurrent[k] = x.delta.current;
      eCarry[k] = x.delta.carry;
      eEarned[k] = x.delta.lifetimeEarned;
      eSpend[k] = x.delta.lifetimeSpend;
      eReason[k] = x.reason ?? null;
      eTierId[k] = x.tierId ?? null;
      eAt[k] = iso(x.at);
      k++;
    }
  });
  const e = [
    numberArray(eU),
    textArray(eType),
    textArray(eKey),
    textArray(eOrderId),
    numberArray(eBase),
    textArray(eMultiplier),
    numberArray(ePoints),
    numberArray(eCurrent),
    numberArray(eCarry),
    numberArray(eEarned),
    numberArray(eSpend),
    textArray(eReason),
    textArray(eTierId),
    textArray(eAt),
  ];
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
    o.events.map((ev, i) => ({ u, i, type: ev.type, data: ev.data, at: ev.at.toISOString() })),
  );
  return [
    programId,
    textArray(customerId),
    textArray(at),
    booleanArray(placed),
    textArray(tierId),
    textArray(tierSince),
    textArray(reason),
    textArray(cycleClosedAt),
    textArray(lists),
    booleanArray(apple),
    booleanArray(google),
    booleanArray(writesRow),
    ...e,
    jsonParam(changes),
    jsonParam(events),
  ];
}

function told(counts: Counts | undefined, stored: boolean[]): StoreResult {
  return { stored, queued: (counts?.queued ?? 0) > 0, delivering: (counts?.delivering ?? 0) > 0 };
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
  const stored = outcomes.map(() => true);
  const { rows } = await q.query<Counts & { missing: number }>(OUTCOMES_SQL, params(programId, outcomes));
  const [row] = rows;
  // A unit that moves the customer's row must have found it (the caller holds its lock).
  if (row && row.missing > 0) throw new Error(`${row.missing} customer(s) of the outcomes not found`);
  return told(row, stored);
}

/** An order with the outcome to store when it is new. */
export interface OrderWithOutcome {
  order: NewOrder;
  outcome: OutcomeToStore;
}

/**
 * Insert the orders (of distinct customers) and store the outcome of each one that is new, in one
 * statement. `stored[i]` is false for an order that existed (a replay: nothing written).
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
  const { rows } = await q.query<Counts & { u: number; moved: boolean }>(ORDERS_AND_OUTCOMES_SQL, [
    ...params(programId, outcomes),
    jsonParam(orders),
  ]);
  const stored = writes.map(() => false);
  for (const r of rows) {
    const unit = outcomes[r.u];
    const writesRow =
      unit !== undefined &&
      (unit.entries.length > 0 || unit.placement !== null || unit.cycleClosedAt !== null);
    // A unit that moves the customer's row must have found it (the caller holds its lock).
    if (writesRow && !r.moved) throw new Error(`customer ${unit?.customerId} not found`);
    stored[r.u] = true;
  }
  return told(rows[0], stored);
}
