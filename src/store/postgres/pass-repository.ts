import type { PassRecord, PassRepository } from '../pass-port.js';
import type { SqlQuery } from './sql-driver.js';

interface PassRow {
  customer_id: string;
  serial: string;
  auth_token_hash: string;
  legacy_auth_token: string | null;
  update_tag: string | null;
  updated_at: Date;
  /** bigint, read as text (pg and PGlite parse int8 differently). */
  change_seq: string;
  created_at: Date;
}

const COLUMNS =
  'customer_id, serial, auth_token_hash, legacy_auth_token, update_tag, updated_at, change_seq::text AS change_seq, created_at';
/** COLUMNS of the table aliased `p` (UPDATE … FROM). */
const P_COLUMNS = COLUMNS.split(', ')
  .map((c) => `p.${c}`)
  .join(', ');

function toPass(r: PassRow): PassRecord {
  return {
    customerId: r.customer_id,
    serial: r.serial,
    authTokenHash: r.auth_token_hash,
    legacyAuthToken: r.legacy_auth_token,
    updateTag: r.update_tag,
    updatedAt: r.updated_at,
    changeSeq: Number(r.change_seq),
    createdAt: r.created_at,
  };
}

/** Pass identities of one program. */
export function passRepository(q: SqlQuery, programId: string): PassRepository {
  return {
    async get(customerId) {
      const { rows } = await q.query<PassRow>(
        `SELECT ${COLUMNS} FROM passes WHERE program_id = $1 AND customer_id = $2`,
        [programId, customerId],
      );
      return rows[0] === undefined ? null : toPass(rows[0]);
    },
    async getBySerial(serial) {
      const { rows } = await q.query<PassRow>(
        `SELECT ${COLUMNS} FROM passes WHERE program_id = $1 AND serial = $2`,
        [programId, serial],
      );
      return rows[0] === undefined ? null : toPass(rows[0]);
    },
    async ensure(customerId, candidate, now) {
      // DO NOTHING + re-read: a concurrent first request keeps the row that won. change_seq
      // takes the sequence's next value by default (migration 023).
      const inserted = await q.query<PassRow>(
        `INSERT INTO passes (program_id, customer_id, serial, auth_token_hash, update_tag, updated_at, created_at)
         VALUES ($1, $2, $3, $4, NULL, $5, $5)
         ON CONFLICT (program_id, customer_id) DO NOTHING
         RETURNING ${COLUMNS}`,
        [programId, customerId, candidate.serial, candidate.authTokenHash, now],
      );
      if (inserted.rows[0]) return toPass(inserted.rows[0]);
      const existing = await this.get(customerId);
      if (!existing) throw new Error(`pass of customer ${customerId} vanished`);
      return existing;
    },
    async setUpdateTag(customerId, tag, now) {
      const { rows } = await q.query<PassRow>(
        // At least one second after the previous change: Last-Modified has whole seconds, and two
        // changes within one second must not look the same to If-Modified-Since. That can put
        // updated_at in the future, so "updated since" compares change_seq instead (migration 023).
        `UPDATE passes SET update_tag = $3, updated_at = greatest(date_trunc('second', updated_at) + interval '1 second', $4),
           change_seq = nextval('passes_change_seq')
         WHERE program_id = $1 AND customer_id = $2 AND update_tag IS DISTINCT FROM $3
         RETURNING ${COLUMNS}`,
        [programId, customerId, tag, now],
      );
      return rows[0] === undefined ? this.get(customerId) : toPass(rows[0]);
    },
    async setUpdateTags(tags, now) {
      if (tags.length === 0) return [];
      // The same rule as setUpdateTag, for every pass of the list at once.
      const { rows } = await q.query<PassRow>(
        `UPDATE passes p SET update_tag = v.tag,
           updated_at = greatest(date_trunc('second', p.updated_at) + interval '1 second', $4),
           change_seq = nextval('passes_change_seq')
         FROM unnest($2::text[], $3::text[]) AS v(customer_id, tag)
         WHERE p.program_id = $1 AND p.customer_id = v.customer_id AND p.update_tag IS DISTINCT FROM v.tag
         RETURNING ${P_COLUMNS}`,
        [programId, tags.map((t) => t.customerId), tags.map((t) => t.tag), now],
      );
      return rows.map(toPass);
    },
    async updatedSince(serials, since) {
      const { rows } = await q.query<PassRow>(
        `SELECT ${COLUMNS} FROM passes
         WHERE program_id = $1 AND serial = ANY($2::text[]) AND ($3::bigint IS NULL OR change_seq > $3)
         ORDER BY change_seq`,
        [programId, serials, since],
      );
      return rows.map(toPass);
    },
  };
}

/** Store.sealLegacyPassTokens: plain legacy tokens, 500 at a time, each row only if unchanged since read. */
export async function sealLegacyPassTokens(
  q: SqlQuery,
  seal: (token: string) => string,
  sealedPrefix: string,
): Promise<number> {
  let sealed = 0;
  let after = '';
  for (;;) {
    const { rows } = await q.query<{ serial: string; legacy_auth_token: string }>(
      `SELECT serial, legacy_auth_token FROM passes
       WHERE legacy_auth_token IS NOT NULL AND NOT starts_with(legacy_auth_token, $2) AND serial > $1
       ORDER BY serial LIMIT 500`,
      [after, sealedPrefix],
    );
    const last = rows.at(-1);
    if (!last) return sealed;
    after = last.serial;
    const { rowCount } = await q.query(
      `UPDATE passes p SET legacy_auth_token = v.sealed
       FROM unnest($1::text[], $2::text[], $3::text[]) AS v(serial, plain, sealed)
       WHERE p.serial = v.serial AND p.legacy_auth_token = v.plain`,
      [
        rows.map((r) => r.serial),
        rows.map((r) => r.legacy_auth_token),
        rows.map((r) => seal(r.legacy_auth_token)),
      ],
    );
    sealed += rowCount ?? 0;
  }
}
