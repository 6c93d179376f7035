/**
 * Store.resealCredentials (docs/decisions/0052): the connections' sealed credentials not under
 * the current key, 500 at a time per column in program order, each value rewritten only if it is
 * unchanged since read (compare-and-set in one UPDATE per batch), as the webhook secrets' walk.
 */
import type { SealedCredentialKind, Store } from '../port.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam } from './sql-values.js';

/** Where each kind is stored: table and column, both keyed by program_id. */
const COLUMNS: readonly [Exclude<SealedCredentialKind, 'klaviyoErasure'>, string, string][] = [
  ['shopifyAccessToken', 'shopify_connections', 'access_token_sealed'],
  ['shopifyWebhookSecret', 'shopify_connections', 'webhook_secret_sealed'],
  ['klaviyoApiKey', 'klaviyo_connections', 'api_key_sealed'],
];

export async function resealCredentials(
  q: SqlQuery,
  reseal: Parameters<Store['resealCredentials']>[0],
  currentPrefix: string,
): ReturnType<Store['resealCredentials']> {
  const rewritten: Record<SealedCredentialKind, number> = {
    shopifyAccessToken: 0,
    shopifyWebhookSecret: 0,
    klaviyoApiKey: 0,
    klaviyoErasure: 0,
  };
  for (const [kind, table, column] of COLUMNS) {
    let after = '';
    for (;;) {
      const { rows } = await q.query<{ program_id: string; sealed: string }>(
        `SELECT program_id, ${column} AS sealed FROM ${table}
         WHERE program_id > $1 AND NOT starts_with(${column}, $2)
         ORDER BY program_id LIMIT 500`,
        [after, currentPrefix],
      );
      const last = rows.at(-1);
      if (!last) break;
      after = last.program_id;
      const changes = rows.flatMap((r) => {
        const next = reseal({ kind, programId: r.program_id, customerId: null, sealed: r.sealed });
        return next === null ? [] : [{ program_id: r.program_id, old: r.sealed, next }];
      });
      if (changes.length === 0) continue;
      const { rowCount } = await q.query(
        `UPDATE ${table} t SET ${column} = v.next
         FROM jsonb_to_recordset($1::jsonb) AS v(program_id text, old text, next text)
         WHERE t.program_id = v.program_id AND t.${column} = v.old`,
        [jsonParam(changes)],
      );
      rewritten[kind] += rowCount ?? 0;
    }
  }
  // Pending Klaviyo erasures (their value is forgotten once done): keyed by outbox id.
  let afterId = '0';
  for (;;) {
    const { rows } = await q.query<{ id: string; program_id: string; customer_id: string; sealed: string }>(
      `SELECT id::text AS id, program_id, customer_id, erasure_sealed AS sealed FROM outbox
       WHERE id > $1::bigint AND erasure_sealed IS NOT NULL AND NOT starts_with(erasure_sealed, $2)
       ORDER BY id LIMIT 500`,
      [afterId, currentPrefix],
    );
    const last = rows.at(-1);
    if (!last) break;
    afterId = last.id;
    const changes = rows.flatMap((r) => {
      const next = reseal({
        kind: 'klaviyoErasure',
        programId: r.program_id,
        customerId: r.customer_id,
        sealed: r.sealed,
      });
      return next === null ? [] : [{ id: r.id, old: r.sealed, next }];
    });
    if (changes.length === 0) continue;
    const { rowCount } = await q.query(
      `UPDATE outbox o SET erasure_sealed = v.next
       FROM jsonb_to_recordset($1::jsonb) AS v(id text, old text, next text)
       WHERE o.id = v.id::bigint AND o.erasure_sealed = v.old`,
      [jsonParam(changes)],
    );
    rewritten.klaviyoErasure += rowCount ?? 0;
  }
  return rewritten;
}
