/**
 * Storage of console sessions (issue 11, docs/decisions/0023): a signed-in browser's session,
 * stored by the SHA-256 of its id only. Sessions are found by that hash before the program is
 * known (like API keys), so the repository is reached from the Store, not from a scope.
 */
import type { ProgramRecord } from './records.js';

/** A session to store. */
export interface NewSession {
  /** SHA-256 (hex) of the session id; the id itself is never stored. */
  idHash: string;
  /** The program the session acts for. */
  programId: string;
  /** When it was created (the injected clock). */
  createdAt: Date;
  /** Absolute end: the session is refused from this instant on. */
  expiresAt: Date;
}

/** A live session and the program it acts for. */
export interface SessionWithProgram {
  /** The program as read with the session. */
  program: ProgramRecord;
  /** Absolute end of the session. */
  expiresAt: Date;
}

export interface SessionRepository {
  /** Store a new session; also drops this program's sessions that ended before `createdAt`. */
  create(session: NewSession): Promise<void>;
  /** The session with this id hash and its program, unless missing, revoked or ended at `now`. */
  find(idHash: string, now: Date): Promise<SessionWithProgram | null>;
  /** Revoke the session (sign-out); false when it was missing, revoked or ended already. */
  revoke(idHash: string, now: Date): Promise<boolean>;
}
