/**
 * Authentication: program API keys (Bearer, stored hashed) or a console session cookie standing
 * for one (docs/decisions/0023), and the admin token.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { AppError, unauthorized } from '../errors.js';
import type { ProgramContext } from '../program-context.js';
import type { ProgramRecord, Store } from '../store/port.js';
import { cacheProgramLookups } from '../store/program-lookup-cache.js';
import type { Authenticator } from './route.js';
import { sameSecret } from './same-secret.js';
import { checkCookieWrite, sessionIdFrom } from './session-cookie.js';

/** SHA-256 of an API key: keys carry 256 random bits, so a fast hash is enough. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** The console sessions the authenticator resumes (features/sessions implements it). */
export interface SessionResumer {
  /** The live session of `sessionId`, or null when it is unknown, signed out or ended. */
  resume(sessionId: string): Promise<{ program: ProgramRecord; csrfToken: string } | null>;
}

/** How long an authenticated live program is reused without reading it again (see program-lookup-cache.ts). */
export const PROGRAM_CACHE_TTL_MS = 1000;

export function createAuthenticator(deps: {
  store: Store;
  /** The program's now (its test clock, or the real time): the features' rule, passed in. */
  programNow(program: ProgramRecord): Date;
  adminToken: string;
  /** Defaults to PROGRAM_CACHE_TTL_MS; 0 reads the program on every request. */
  programCacheTtlMs?: number;
  /** Console sessions: without them a session cookie is ignored. */
  sessions?: SessionResumer;
  /** PUBLIC_URL: an allowed `Origin` of cookie-authenticated writes besides the host reached. */
  publicUrl?: string;
}): Authenticator {
  // Program changes made through this store (app.ts passes the same to the services) drop the cached program at commit.
  const store = cacheProgramLookups(deps.store, { ttlMs: deps.programCacheTtlMs ?? PROGRAM_CACHE_TTL_MS });
  return {
    async program(req): Promise<ProgramContext> {
      // A Bearer key wins over a cookie: it is sent on purpose, never by a browser on its own.
      const sessionId = req.headers.authorization === undefined ? sessionIdFrom(req) : undefined;
      if (sessionId !== undefined && deps.sessions) {
        // Read from the database on every request (no cache): a sign-out holds in every process at once.
        const session = await deps.sessions.resume(sessionId);
        if (!session) throw sessionRequired();
        checkCookieWrite(req, session.csrfToken, deps.publicUrl);
        const program = session.program;
        return { program, now: deps.programNow(program) };
      }
      const key = bearer(req);
      if (!key) {
        throw unauthorized(
          'Send the program API key as "Authorization: Bearer <key>", or sign in to the console',
        );
      }
      const program = await store.findProgramByApiKeyHash(hashApiKey(key));
      if (!program) throw unauthorized('Unknown API key');
      return { program, now: deps.programNow(program) };
    },
    admin(req): void {
      const token = bearer(req);
      if (!token || !sameSecret(token, deps.adminToken)) throw unauthorized('Admin token required');
    },
  };
}

/** 401 of a session cookie that opens no session (unknown, signed out, ended). */
export function sessionRequired(): AppError {
  return new AppError(
    401,
    'session_required',
    'Your console session has ended or was signed out; sign in again',
  );
}
