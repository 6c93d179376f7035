import type { PassRegistration, PassRegistrationRepository, PushTarget } from '../pass-registration-port.js';
import type { SqlQuery } from './sql-driver.js';

interface RegistrationRow {
  device_id: string;
  serial: string;
  push_token: string;
  created_at: Date;
  updated_at: Date;
}

function toRegistration(r: RegistrationRow): PassRegistration {
  return {
    deviceId: r.device_id,
    serial: r.serial,
    pushToken: r.push_token,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

interface TargetRow {
  customer_id: string;
  serial: string;
  auth_token_hash: string;
  legacy_auth_token: string | null;
  update_tag: string | null;
  updated_at: Date;
  change_seq: string;
  created_at: Date;
  push_tokens: string[];
}

/**
 * Passes of customers $2 of program $1 and the distinct push tokens of their devices (one index
 * probe per pass on pass_registrations (program_id, serial)).
 */
const PUSH_TARGETS_SQL = `
SELECT p.customer_id, p.serial, p.auth_token_hash, p.legacy_auth_token, p.update_tag, p.updated_at,
  p.change_seq::text AS change_seq, p.created_at,
  coalesce(
    (SELECT array_agg(DISTINCT r.push_token) FROM pass_registrations r
     WHERE r.program_id = p.program_id AND r.serial = p.serial),
    '{}'
  ) AS push_tokens
FROM passes p
WHERE p.program_id = $1 AND p.customer_id = ANY($2::text[])`;

/** Device registrations of one program's passes. */
export function passRegistrationRepository(q: SqlQuery, programId: string): PassRegistrationRepository {
  return {
    async register(deviceId, serial, pushToken, now) {
      // xmax = 0 only on a freshly inserted row: tells 201 from 200 in one statement.
      const { rows } = await q.query<{ inserted: boolean }>(
        `INSERT INTO pass_registrations (program_id, device_id, serial, push_token, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (device_id, serial) DO UPDATE SET push_token = EXCLUDED.push_token, updated_at = EXCLUDED.updated_at
         WHERE pass_registrations.program_id = EXCLUDED.program_id
         RETURNING (xmax = 0) AS inserted`,
        [programId, deviceId, serial, pushToken, now],
      );
      return { created: rows[0]?.inserted === true };
    },
    async unregister(deviceId, serial) {
      const { rows } = await q.query(
        'DELETE FROM pass_registrations WHERE program_id = $1 AND device_id = $2 AND serial = $3 RETURNING serial',
        [programId, deviceId, serial],
      );
      return rows.length > 0;
    },
    async serialsOfDevice(deviceId) {
      const { rows } = await q.query<{ serial: string }>(
        'SELECT serial FROM pass_registrations WHERE program_id = $1 AND device_id = $2 ORDER BY serial',
        [programId, deviceId],
      );
      return rows.map((r) => r.serial);
    },
    async devicesOfSerial(serial) {
      const { rows } = await q.query<RegistrationRow>(
        `SELECT device_id, serial, push_token, created_at, updated_at FROM pass_registrations
         WHERE program_id = $1 AND serial = $2 ORDER BY device_id`,
        [programId, serial],
      );
      return rows.map(toRegistration);
    },
    async removePushToken(pushToken) {
      const { rows } = await q.query(
        'DELETE FROM pass_registrations WHERE program_id = $1 AND push_token = $2 RETURNING serial',
        [programId, pushToken],
      );
      return rows.length;
    },
    async pushTargets(customerIds) {
      if (customerIds.length === 0) return [];
      const { rows } = await q.query<TargetRow>(PUSH_TARGETS_SQL, [programId, customerIds]);
      return rows.map(
        (r): PushTarget => ({
          pass: {
            customerId: r.customer_id,
            serial: r.serial,
            authTokenHash: r.auth_token_hash,
            legacyAuthToken: r.legacy_auth_token,
            updateTag: r.update_tag,
            updatedAt: r.updated_at,
            changeSeq: Number(r.change_seq),
            createdAt: r.created_at,
          },
          pushTokens: r.push_tokens,
        }),
      );
    },
    async removePushTokens(pushTokens) {
      if (pushTokens.length === 0) return 0;
      const { rowCount } = await q.query(
        'DELETE FROM pass_registrations WHERE program_id = $1 AND push_token = ANY($2::text[])',
        [programId, pushTokens],
      );
      return rowCount;
    },
  };
}

/** Programs in which a device holds registrations (the device id is global; everything after is scoped). */
export async function programsOfPassDevice(q: SqlQuery, deviceId: string): Promise<string[]> {
  const { rows } = await q.query<{ program_id: string }>(
    'SELECT DISTINCT program_id FROM pass_registrations WHERE device_id = $1 ORDER BY program_id',
    [deviceId],
  );
  return rows.map((r) => r.program_id);
}
