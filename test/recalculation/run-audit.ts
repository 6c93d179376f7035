/** Whole-program checks straight in SQL: what each customer received from one run. */
import pg from 'pg';
import { testDatabaseUrl } from '../support/db.js';

export interface RunAudit {
  /** Tier changes per customer at `at`. */
  changes: Map<string, number>;
  /** carry_reset entries per customer at `at`. */
  resets: Map<string, number>;
  /** Customers whose balances differ from their ledger's sum. */
  mismatched: string[];
  /** The run's batches in order. */
  batches: {
    seq: number;
    fromId: string;
    toId: string;
    state: string;
    worker: string;
    attempts: number;
    failures: number;
    processed: number | null;
  }[];
}

export async function auditRun(programId: string, runId: string, at: Date): Promise<RunAudit> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const counts = async (sql: string) =>
      new Map(
        (await client.query<{ id: string; n: number }>(sql, [programId, at])).rows.map((r) => [
          r.id,
          Number(r.n),
        ]),
      );
    const changes = await counts(
      'SELECT customer_id AS id, count(*) AS n FROM tier_changes WHERE program_id = $1 AND at = $2 GROUP BY 1',
    );
    const resets = await counts(
      `SELECT customer_id AS id, count(*) AS n FROM ledger_entries
       WHERE program_id = $1 AND type = 'carry_reset' AND at = $2 GROUP BY 1`,
    );
    const mismatched = await client.query<{ id: string }>(
      `SELECT c.id FROM customers c
       LEFT JOIN (SELECT customer_id, sum(d_current) AS cur, sum(d_carry) AS carry, sum(d_lifetime_earned) AS le,
                    sum(d_lifetime_spend) AS ls
                  FROM ledger_entries WHERE program_id = $1 GROUP BY customer_id) l ON l.customer_id = c.id
       WHERE c.program_id = $1 AND (c.current, c.carry, c.lifetime_earned, c.lifetime_spend)
         IS DISTINCT FROM (coalesce(l.cur, 0), coalesce(l.carry, 0), coalesce(l.le, 0), coalesce(l.ls, 0))`,
      [programId],
    );
    const batches = await client.query(
      `SELECT seq, from_id AS "fromId", to_id AS "toId", state, worker, attempts, failures, processed
       FROM recalc_batches WHERE program_id = $1 AND run_id = $2 ORDER BY seq`,
      [programId, runId],
    );
    return { changes, resets, mismatched: mismatched.rows.map((r) => r.id), batches: batches.rows };
  } finally {
    await client.end();
  }
}

/** Each id exactly once in `counts`, and nothing else. */
export function exactlyOnce(counts: Map<string, number>, ids: string[]): boolean {
  return counts.size === ids.length && ids.every((id) => counts.get(id) === 1);
}
