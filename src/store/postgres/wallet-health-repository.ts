/** The wallet health read model on PostgreSQL/PGlite: a few indexed reads run side by side. */
import type { WalletHealthRepository } from '../wallet-health-port.js';
import type { SqlDriver } from './sql-driver.js';
import { one } from './sql-values.js';

/** Devices and registrations: index-only over pass_registrations_device_idx. */
const DEVICES_SQL = `SELECT count(DISTINCT device_id)::int AS devices, count(*)::int AS registrations
  FROM pass_registrations WHERE program_id = $1`;

/** Google objects by state in one pass over the program's objects. */
const OBJECTS_SQL = `SELECT count(*)::int AS total,
  count(*) FILTER (WHERE last_error IS NULL AND content_hash IS NOT NULL)::int AS synced,
  count(*) FILTER (WHERE last_error IS NULL AND content_hash IS NULL)::int AS pending,
  count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failing
  FROM google_wallet_objects WHERE program_id = $1`;

/** Newest failures first: google_wallet_objects_error_idx. */
const FAILURES_SQL = `SELECT customer_id, object_id, last_error, last_error_at FROM google_wallet_objects
  WHERE program_id = $1 AND last_error IS NOT NULL ORDER BY last_error_at DESC, customer_id LIMIT $2`;

/** At most 25 hourly rows (primary key range). */
const PUSHES_SQL = `SELECT coalesce(sum(sent), 0)::int AS sent, coalesce(sum(failed), 0)::int AS failed
  FROM apple_push_counts WHERE program_id = $1 AND hour > $2 AND hour <= $3`;

export function walletHealthRepository(driver: SqlDriver, programId: string): WalletHealthRepository {
  return {
    async counts(window, failures) {
      const [passes, devices, objects, recent, pushes] = await Promise.all([
        driver.query<{ n: number }>('SELECT count(*)::int AS n FROM passes WHERE program_id = $1', [
          programId,
        ]),
        driver.query<{ devices: number; registrations: number }>(DEVICES_SQL, [programId]),
        driver.query<{ total: number; synced: number; pending: number; failing: number }>(OBJECTS_SQL, [
          programId,
        ]),
        driver.query<{ customer_id: string; object_id: string; last_error: string; last_error_at: Date }>(
          FAILURES_SQL,
          [programId, failures],
        ),
        driver.query<{ sent: number; failed: number }>(PUSHES_SQL, [programId, window.since, window.until]),
      ]);
      const d = one(devices.rows, 'devices');
      return {
        applePasses: one(passes.rows, 'passes').n,
        devices: d.devices,
        registrations: d.registrations,
        pushes: one(pushes.rows, 'pushes'),
        googleObjects: one(objects.rows, 'objects'),
        googleFailures: recent.rows.map((r) => ({
          customerId: r.customer_id,
          objectId: r.object_id,
          error: r.last_error,
          at: r.last_error_at,
        })),
      };
    },
  };
}
