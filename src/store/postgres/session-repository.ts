import type { SessionRepository } from '../session-port.js';
import { type ProgramRow, toProgram } from './program-repository.js';
import type { SqlQuery } from './sql-driver.js';

interface SessionRow extends ProgramRow {
  expires_at: Date;
}

/** Console sessions, looked up by the hash of their id (no program scope: the hash finds it). */
export function sessionRepository(q: SqlQuery): SessionRepository {
  return {
    async create(s) {
      // Ended and revoked sessions are kept only until the program's next sign-in.
      await q.query(
        `WITH dropped AS (
           DELETE FROM console_sessions
           WHERE program_id = $2 AND (expires_at <= $3 OR revoked_at IS NOT NULL)
         )
         INSERT INTO console_sessions (id_hash, program_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
        [s.idHash, s.programId, s.createdAt, s.expiresAt],
      );
    },
    async find(idHash, now) {
      const { rows } = await q.query<SessionRow>(
        `SELECT s.expires_at, p.id, p.name, p.mode, p.settings, p.clock_now, p.created_at, p.updated_at
         FROM console_sessions s JOIN programs p ON p.id = s.program_id
         WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2`,
        [idHash, now],
      );
      const r = rows[0];
      if (r === undefined) return null;
      return { expiresAt: r.expires_at, program: toProgram(r) };
    },
    async revoke(idHash, now) {
      const { rowCount } = await q.query(
        `UPDATE console_sessions SET revoked_at = $2
         WHERE id_hash = $1 AND revoked_at IS NULL AND expires_at > $2`,
        [idHash, now],
      );
      return rowCount > 0;
    },
  };
}
