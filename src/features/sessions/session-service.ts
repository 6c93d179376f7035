/** Console sessions: an API key exchanged for a session; resumed by its id; revoked on sign-out. */
import type { Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import type { ProgramRecord } from '../../store/port.js';
import { csrfTokenFor, hashSessionId, isSessionId, newSessionId } from './session-tokens.js';
import type { SessionsStore } from './sessions-store.js';

/** What a signed-in console knows: its program, the CSRF token of its writes, the session's end. */
export interface SessionView {
  /** The program the session acts for. */
  program: ProgramRecord;
  /** Sent back as `X-CSRF-Token` on every cookie-authenticated write. */
  csrfToken: string;
  /** Absolute end of the session. */
  expiresAt: Date;
}

/** A session just started: the view and the id that goes into the cookie. */
export interface StartedSession extends SessionView {
  /** The session id (cookie value); never stored, never logged. */
  sessionId: string;
}

/** 401 of a wrong API key at sign-in. */
export function invalidApiKey(): AppError {
  return new AppError(401, 'invalid_api_key', 'That API key is not valid for any program');
}

export class SessionService {
  constructor(
    private readonly deps: {
      store: SessionsStore;
      clock: Clock;
      hashApiKey(key: string): string;
      /** Absolute lifetime of a session (SESSION_TTL_HOURS). */
      ttlMs: number;
    },
  ) {}

  /** Session lifetime in whole seconds (the cookie's Max-Age). */
  get ttlSeconds(): number {
    return Math.floor(this.deps.ttlMs / 1000);
  }

  /** Exchange a program API key for a new session; 401 `invalid_api_key` when it opens no program. */
  async signIn(apiKey: string): Promise<StartedSession> {
    const program = await this.deps.store.findProgramByApiKeyHash(this.deps.hashApiKey(apiKey));
    if (!program) throw invalidApiKey();
    const sessionId = newSessionId();
    const createdAt = this.deps.clock.now();
    const expiresAt = new Date(createdAt.getTime() + this.deps.ttlMs);
    await this.deps.store.sessions.create({
      idHash: hashSessionId(sessionId),
      programId: program.id,
      createdAt,
      expiresAt,
    });
    return { sessionId, program, csrfToken: csrfTokenFor(sessionId), expiresAt };
  }

  /** The live session of this id, or null (unknown, revoked, ended or malformed). */
  async resume(sessionId: string): Promise<SessionView | null> {
    if (!isSessionId(sessionId)) return null;
    const found = await this.deps.store.sessions.find(hashSessionId(sessionId), this.deps.clock.now());
    if (!found) return null;
    return { program: found.program, expiresAt: found.expiresAt, csrfToken: csrfTokenFor(sessionId) };
  }

  /** Revoke the session; false when it was not live. */
  async signOut(sessionId: string): Promise<boolean> {
    if (!isSessionId(sessionId)) return false;
    return this.deps.store.sessions.revoke(hashSessionId(sessionId), this.deps.clock.now());
  }
}
