/** Read-only look at the outbox of a test database (the run's by default; never claims). */
import pg from 'pg';
import { testDatabaseUrl } from '../support/db.js';

/** `google_object_changed` rows ever written for one customer. */
export async function googleRowsOf(
  programId: string,
  customerId: string,
  url = testDatabaseUrl(),
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM outbox WHERE program_id = $1 AND customer_id = $2 AND kind = 'google_object_changed'",
      [programId, customerId],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** Notification slots a customer's object took in the 24 hours before `at` (default: any time kept). */
export async function notificationsTaken(
  programId: string,
  customerId: string,
  url = testDatabaseUrl(),
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT coalesce(jsonb_array_length(sent), 0)::int AS n FROM google_wallet_notices
       WHERE program_id = $1 AND customer_id = $2`,
      [programId, customerId],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** Marks every pending outbox row of a test database of its own done (never the run's shared one). */
export async function settleOutbox(url: string | undefined): Promise<void> {
  if (url === undefined || url === testDatabaseUrl())
    throw new Error('settleOutbox needs a database of its own');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('UPDATE outbox SET done_at = now() WHERE done_at IS NULL');
  } finally {
    await client.end();
  }
}
