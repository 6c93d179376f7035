/** HTTP routes of console sessions: sign in with an API key, resume, sign out (docs/decisions/0023). */
import type { Request } from 'express';
import { sessionRequired } from '../../http/auth.js';
import type { ApiRegistry } from '../../http/route.js';
import {
  CSRF_HEADER,
  checkCookieWrite,
  clearedSessionCookie,
  isSecureRequest,
  refuseCrossSite,
  SESSION_COOKIE,
  sessionCookie,
  sessionIdFrom,
} from '../../http/session-cookie.js';
import { programView } from '../programs/program-service.js';
import { sessionViewSchema, signInBody } from './session-schemas.js';
import type { SessionService, SessionView } from './session-service.js';

function view(s: SessionView) {
  return { program: programView(s.program), csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() };
}

// The answer carries the CSRF token: never kept by a cache.
const NO_STORE = { 'Cache-Control': 'no-store' };

export function registerSessionRoutes(
  api: ApiRegistry,
  sessions: SessionService,
  opts: { publicUrl: string | undefined },
): void {
  const secure = (req: Request) => isSecureRequest(req, opts.publicUrl);

  api.add({
    method: 'post',
    path: '/v1/session',
    summary: `Sign in to the console: exchange the program API key for a session cookie (${SESSION_COOKIE}: HttpOnly, SameSite=Strict)`,
    tag: 'Console session',
    auth: 'none',
    // Wrong keys count as failed sign-ins per client: 429 with Retry-After once too many.
    credential: { kind: 'signIn', failureCode: 'invalid_api_key' },
    body: signInBody,
    responses: {
      200: { description: 'Signed in; Set-Cookie carries the session', schema: sessionViewSchema },
      401: { description: 'invalid_api_key: the key opens no program' },
      403: { description: 'cross_site_request: sent from another site' },
    },
    async handler({ body, req }) {
      refuseCrossSite(req, opts.publicUrl);
      const started = await sessions.signIn(body.apiKey);
      return {
        status: 200,
        body: view(started),
        headers: {
          ...NO_STORE,
          'Set-Cookie': sessionCookie(started.sessionId, sessions.ttlSeconds, secure(req)),
        },
      };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/session',
    summary: 'The signed-in session (the console calls it on load)',
    tag: 'Console session',
    auth: 'none',
    responses: {
      200: { description: 'The session', schema: sessionViewSchema },
      401: { description: 'session_required: no session cookie, or its session ended or was signed out' },
    },
    async handler({ req }) {
      const sessionId = sessionIdFrom(req);
      const session = sessionId === undefined ? null : await sessions.resume(sessionId);
      if (!session) throw sessionRequired();
      return { status: 200, body: view(session), headers: NO_STORE };
    },
  });

  api.add({
    method: 'delete',
    path: '/v1/session',
    summary: 'Sign out: revoke the session (the cookie is refused everywhere from now on)',
    tag: 'Console session',
    auth: 'none',
    headers: [{ name: CSRF_HEADER, required: true, description: 'The CSRF token of the session' }],
    responses: {
      204: { description: 'Signed out; Set-Cookie removes the cookie' },
      401: { description: 'session_required: no live session' },
      403: { description: 'csrf_token_invalid or cross_site_request' },
    },
    async handler({ req }) {
      const sessionId = sessionIdFrom(req);
      const session = sessionId === undefined ? null : await sessions.resume(sessionId);
      if (!session || sessionId === undefined) throw sessionRequired();
      checkCookieWrite(req, session.csrfToken, opts.publicUrl);
      await sessions.signOut(sessionId);
      return { status: 204, headers: { 'Set-Cookie': clearedSessionCookie(secure(req)) } };
    },
  });
}
