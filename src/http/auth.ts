/** Bearer-token authentication: program API keys (stored hashed) and the admin token. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Clock } from '../clock.js';
import { type ProgramContext, programNow } from '../features/programs/program-context.js';
import type { Store } from '../store/port.js';
import { cacheProgramLookups } from '../store/program-lookup-cache.js';
import { unauthorized } from './errors.js';
import type { Authenticator } from './route.js';

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

function sameSecret(a: string, b: string): boolean {
  // Compare digests so the comparison is constant-time whatever the lengths.
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** How long an authenticated live program is reused without reading it again (see program-lookup-cache.ts). */
export const PROGRAM_CACHE_TTL_MS = 1000;

export function createAuthenticator(deps: {
  store: Store;
  clock: Clock;
  adminToken: string;
  /** Defaults to PROGRAM_CACHE_TTL_MS; 0 reads the program on every request. */
  programCacheTtlMs?: number;
}): Authenticator {
  // Program changes made through ctx.scope drop the cached program at commit.
  const store = cacheProgramLookups(deps.store, { ttlMs: deps.programCacheTtlMs ?? PROGRAM_CACHE_TTL_MS });
  return {
    async program(req): Promise<ProgramContext> {
      const key = bearer(req);
      if (!key) throw unauthorized('Send the program API key as "Authorization: Bearer <key>"');
      const program = await store.findProgramByApiKeyHash(hashApiKey(key));
      if (!program) throw unauthorized('Unknown API key');
      return { program, scope: store.scoped(program.id), now: programNow(program, deps.clock) };
    },
    admin(req): void {
      const token = bearer(req);
      if (!token || !sameSecret(token, deps.adminToken)) throw unauthorized('Admin token required');
    },
  };
}
