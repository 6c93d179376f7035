/**
 * Privacy operations on PostgreSQL/PGlite (docs/decisions/0043): the export's extra reads, the
 * erasure of one customer's personal data (set-based, one transaction), the deletion of a program.
 */
import type { GoogleObjectExport, PassExport, PrivacyRepository, ProgramDeletion } from '../privacy-port.js';
import type { SqlDriver, SqlQuery } from './sql-driver.js';

interface PassRow {
  serial: string;
  created_at: Date;
  updated_at: Date;
  registrations: { createdAt: string; updatedAt: string }[];
}

interface EventRow {
  id: string;
  type: string;
  data: unknown;
  occurred_at: Date;
}

/** Webhook event cursor: the last event's time and id, base64url. */
function encodeEventCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`, 'utf8').toString('base64url');
}

function decodeEventCursor(cursor: string): { at: Date; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const at = new Date(text.slice(0, bar));
  const id = text.slice(bar + 1);
  if (bar < 0 || Number.isNaN(at.getTime()) || !/^evt_[0-9a-f]{1,64}$/.test(id))
    throw new RangeError('invalid cursor');
  return { at, id };
}

/**
 * The erasure, one statement per table, each touching only rows that still hold something
 * personal, so a replay writes nothing. $1 program, $2 customer, $3 now.
 */
const REDACT_STATEMENTS: readonly string[] = [
  // Copies first: their WHERE clauses do not depend on the customer row.
  `UPDATE orders SET response = tierpass_redact_response(response)
   WHERE program_id = $1 AND customer_id = $2 AND tierpass_response_has_person(response)`,
  `UPDATE refunds r SET response = tierpass_redact_response(r.response)
   FROM orders o
   WHERE r.program_id = $1 AND o.program_id = $1 AND o.id = r.order_id AND o.customer_id = $2
     AND tierpass_response_has_person(r.response)`,
  // Points events (bonus, redeem, adjust) keep their responses under their idempotency keys.
  `UPDATE idempotency_keys SET response = tierpass_redact_response(response)
   WHERE program_id = $1 AND response->'customer'->>'id' = $2 AND tierpass_response_has_person(response)`,
  `UPDATE webhook_events SET data = x.redacted
   FROM (
     SELECT id, (CASE WHEN type = 'customer.tags_changed'
                   THEN tierpass_redact_person(data) || '{"added": [], "removed": []}'::jsonb
                   ELSE tierpass_redact_person(data) END)
              || CASE WHEN jsonb_typeof(data->'customer') = 'object'
                   THEN jsonb_build_object('customer', tierpass_redact_person(data->'customer'))
                   ELSE '{}'::jsonb END AS redacted
     FROM webhook_events WHERE program_id = $1 AND customer_id = $2
   ) x
   WHERE webhook_events.program_id = $1 AND webhook_events.id = x.id AND webhook_events.data IS DISTINCT FROM x.redacted`,
  `UPDATE tier_changes SET facts = facts || '{"tags": []}'::jsonb
   WHERE program_id = $1 AND customer_id = $2 AND jsonb_typeof(facts) = 'object' AND facts ? 'tags'
     AND facts->'tags' <> '[]'::jsonb`,
  `UPDATE ledger_entries SET reason = NULL WHERE program_id = $1 AND customer_id = $2 AND reason IS NOT NULL`,
];

/** The customer row itself; RETURNING only when it changed. */
const REDACT_CUSTOMER = `UPDATE customers SET email = NULL, name = NULL, tags = '{}',
    redacted_at = coalesce(redacted_at, $3), updated_at = $3
  WHERE program_id = $1 AND id = $2
    AND (email IS NOT NULL OR name IS NOT NULL OR tags <> '{}' OR redacted_at IS NULL)
  RETURNING redacted_at`;

/** The customer's wallet passes, refreshed without the name (as outcome-writes queues them). */
const QUEUE_REFRESH = `INSERT INTO outbox (program_id, customer_id, kind, due_at, created_at)
  SELECT $1, p.customer_id, 'apple_pass_changed', now(), now() FROM passes p
  WHERE p.program_id = $1 AND p.customer_id = $2
    AND EXISTS (SELECT 1 FROM pass_registrations r WHERE r.program_id = $1 AND r.serial = p.serial)
  UNION ALL
  SELECT $1, g.customer_id, 'google_object_changed', now(), now() FROM google_wallet_objects g
  WHERE g.program_id = $1 AND g.customer_id = $2`;

/** The deletion of the customer's Klaviyo profile (the program has a connection, 0052). */
const QUEUE_KLAVIYO_ERASURE = `INSERT INTO outbox (program_id, customer_id, kind, due_at, created_at, erasure_sealed)
  VALUES ($1, $2, 'klaviyo_profile_changed', now(), now(), $3)`;

/** `queued` is told after a commit that queued wallet refreshes. */
export function privacyRepository(
  driver: SqlDriver,
  programId: string,
  queued?: () => void,
): PrivacyRepository {
  return {
    async passesOf(customerId) {
      const { rows } = await driver.query<PassRow>(
        `SELECT p.serial, p.created_at, p.updated_at,
           coalesce((SELECT jsonb_agg(jsonb_build_object('createdAt', r.created_at, 'updatedAt', r.updated_at)
                                     ORDER BY r.created_at, r.device_id)
                     FROM pass_registrations r WHERE r.program_id = $1 AND r.serial = p.serial), '[]'::jsonb)
             AS registrations
         FROM passes p WHERE p.program_id = $1 AND p.customer_id = $2 ORDER BY p.created_at, p.serial`,
        [programId, customerId],
      );
      return rows.map(
        (r): PassExport => ({
          serial: r.serial,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
          registrations: r.registrations.map((g) => ({
            createdAt: new Date(g.createdAt),
            updatedAt: new Date(g.updatedAt),
          })),
        }),
      );
    },

    async googleObjectOf(customerId) {
      const { rows } = await driver.query<{
        object_id: string;
        tier_id: string | null;
        synced_at: Date | null;
        created_at: Date;
      }>(
        `SELECT object_id, tier_id, synced_at, created_at FROM google_wallet_objects
         WHERE program_id = $1 AND customer_id = $2`,
        [programId, customerId],
      );
      const r = rows[0];
      if (r === undefined) return null;
      return {
        objectId: r.object_id,
        tierId: r.tier_id,
        syncedAt: r.synced_at,
        createdAt: r.created_at,
      } satisfies GoogleObjectExport;
    },

    async webhookEventsOf(customerId, opts) {
      const after = opts.cursor === undefined ? null : decodeEventCursor(opts.cursor);
      const { rows } = await driver.query<EventRow>(
        `SELECT id, type, data, occurred_at FROM webhook_events
         WHERE program_id = $1 AND customer_id = $2
           AND ($3::timestamptz IS NULL OR (occurred_at, id) > ($3::timestamptz, $4::text))
         ORDER BY occurred_at, id LIMIT $5`,
        [programId, customerId, after?.at ?? null, after?.id ?? null, opts.limit + 1],
      );
      const items = rows.slice(0, opts.limit).map((r) => ({
        id: r.id,
        type: r.type,
        data: r.data,
        occurredAt: r.occurred_at,
      }));
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > opts.limit && last ? encodeEventCursor(last.occurredAt, last.id) : null,
      };
    },

    async redactedAt(customerId) {
      const { rows } = await driver.query<{ redacted_at: Date | null }>(
        'SELECT redacted_at FROM customers WHERE program_id = $1 AND id = $2',
        [programId, customerId],
      );
      return rows[0]?.redacted_at ?? null;
    },

    async redactCustomer(customerId, now, opts) {
      let refreshed = false;
      const result = await driver.transaction(async (q) => {
        // The customer's lock: an order or upsert of theirs waits for the erasure, and after it
        // stores nothing personal from before.
        const { rows } = await q.query<{ redacted_at: Date | null; email: string | null }>(
          'SELECT redacted_at, email FROM customers WHERE program_id = $1 AND id = $2 FOR UPDATE',
          [programId, customerId],
        );
        const locked = rows[0];
        if (locked === undefined) return null;
        let changed = 0;
        for (const sql of REDACT_STATEMENTS)
          changed += (await q.query(sql, [programId, customerId])).rowCount;
        const customer = await q.query<{ redacted_at: Date }>(REDACT_CUSTOMER, [programId, customerId, now]);
        const redactedAt = customer.rows[0]?.redacted_at ?? locked.redacted_at ?? now;
        if (customer.rowCount > 0) {
          changed += 1;
          refreshed = (await q.query(QUEUE_REFRESH, [programId, customerId])).rowCount > 0;
          // The customer's Klaviyo profile is deleted too (decision 0052), after their earlier rows.
          const klaviyo =
            opts?.klaviyoErasure &&
            (await q.query('SELECT 1 FROM klaviyo_connections WHERE program_id = $1', [programId])).rowCount >
              0;
          if (klaviyo && opts?.klaviyoErasure) {
            await q.query(QUEUE_KLAVIYO_ERASURE, [programId, customerId, opts.klaviyoErasure(locked.email)]);
            refreshed = true;
          }
        }
        return { redactedAt, changed: changed > 0 };
      });
      if (refreshed) queued?.();
      return result;
    },
  };
}

/**
 * Every table holding a program's rows, in the order they can be deleted (referencing rows
 * first). `webhook_attempts` has no program id: its rows go with their deliveries.
 */
const PROGRAM_TABLES: readonly [table: string, sql: string][] = [
  [
    'webhook_attempts',
    `DELETE FROM webhook_attempts a USING webhook_deliveries d WHERE d.id = a.delivery_id AND d.program_id = $1`,
  ],
  ...[
    'shopify_write_backs',
    'shopify_backfills',
    'shopify_webhooks',
    'shopify_connections',
    'klaviyo_connections',
    'klaviyo_syncs',
    'shopify_segment_members',
    'shopify_segments',
    'shopify_segment_syncs',
    'webhook_deliveries',
    'webhook_events',
    'webhook_subscriptions',
    'pass_registrations',
    'pass_pushes',
    'passes',
    'google_wallet_notices',
    'google_wallet_objects',
    'google_wallet_classes',
    'outbox',
    'apple_push_counts',
    'recalc_batches',
    'recalc_runs',
    'tier_changes',
    'ledger_entries',
    'refunds',
    'orders',
    'idempotency_keys',
    'customers',
    'artwork_variants',
    'artwork_previews',
    'artwork_slots',
    'artwork_slot_generations',
    'console_sessions',
    'program_pass_designs',
    'api_keys',
    'tiers',
  ].map((t): [string, string] => [t, `DELETE FROM ${t} WHERE program_id = $1`]),
  ['programs', 'DELETE FROM programs WHERE id = $1'],
];

/** The table names a program's deletion empties (tests check no other table holds program rows). */
export const PROGRAM_TABLE_NAMES: readonly string[] = PROGRAM_TABLES.map(([t]) => t);

/**
 * Delete every row of one program in one transaction (all or nothing): per table, how many rows
 * went; null when there is no such program. Set-based: one statement per table.
 */
export async function deleteProgram(driver: SqlDriver, programId: string): Promise<ProgramDeletion | null> {
  return driver.transaction(async (q: SqlQuery) => {
    // Serialise with everything that locks the program (tier changes, settings).
    const { rowCount } = await q.query('SELECT 1 FROM programs WHERE id = $1 FOR UPDATE', [programId]);
    if (rowCount === 0) return null;
    // Wait for the customer transactions in flight (an order, an upsert) and keep new ones out:
    // one that committed after its outbox or event rows were deleted would leave them behind.
    // New customers cannot be created meanwhile (their key references the locked program row).
    await q.query('SELECT 1 FROM customers WHERE program_id = $1 FOR UPDATE', [programId]);
    const deleted: ProgramDeletion = {};
    for (const [table, sql] of PROGRAM_TABLES) deleted[table] = (await q.query(sql, [programId])).rowCount;
    return deleted;
  });
}
