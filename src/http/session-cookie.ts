/**
 * The console's session cookie and the checks of cookie-authenticated writes
 * (docs/decisions/0023): the `X-CSRF-Token` header, and no cross-site `Origin` or
 * `Sec-Fetch-Site`. Requests with a Bearer credential carry no cookie authority and skip these.
 */
import type { Request } from 'express';
import { AppError } from '../errors.js';
import { sameSecret } from './same-secret.js';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'tierpass_session';
/** Header carrying the session's CSRF token on writes. */
export const CSRF_HEADER = 'X-CSRF-Token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session id in the request's cookie, if any. */
export function sessionIdFrom(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (value) return value;
  }
  return undefined;
}

/** True when the request came over https (through `trust proxy`), or the service is public over https. */
export function isSecureRequest(req: Request, publicUrl: string | undefined): boolean {
  return req.secure || (publicUrl?.startsWith('https:') ?? false);
}

/** `Set-Cookie` of a new session. */
export function sessionCookie(sessionId: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${sessionId}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** `Set-Cookie` that removes the session cookie from the browser. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}

/** True for methods that may change something (they need the CSRF token with a cookie). */
export function isWrite(req: Request): boolean {
  return !SAFE_METHODS.has(req.method);
}

/**
 * 403 `cross_site_request` when the browser says the request comes from another site: an
 * `Origin` other than this service's (as reached, or PUBLIC_URL), or `Sec-Fetch-Site` other
 * than same-origin / none. SameSite=Strict already keeps the cookie off cross-site requests;
 * this holds where a browser does not honour it, and refuses login CSRF at sign-in.
 */
export function refuseCrossSite(req: Request, publicUrl: string | undefined): void {
  const site = req.headers['sec-fetch-site'];
  const badSite = typeof site === 'string' && site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  const allowed = new Set([`${req.protocol}://${req.get('host') ?? ''}`]);
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  if (badSite || (typeof origin === 'string' && !allowed.has(origin))) {
    throw new AppError(
      403,
      'cross_site_request',
      'Requests from another site may not use the console session',
    );
  }
}

/** A cookie-authenticated write must carry the session's CSRF token and come from this site. */
export function checkCookieWrite(req: Request, csrfToken: string, publicUrl: string | undefined): void {
  if (!isWrite(req)) return;
  refuseCrossSite(req, publicUrl);
  const given = req.headers[CSRF_HEADER.toLowerCase()];
  if (typeof given !== 'string' || !sameSecret(given, csrfToken)) {
    throw new AppError(
      403,
      'csrf_token_invalid',
      `Cookie-authenticated writes need the session's CSRF token in the ${CSRF_HEADER} header`,
    );
  }
}
