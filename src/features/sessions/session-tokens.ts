/**
 * Session ids and CSRF tokens (docs/decisions/0023). The id is 256 random bits, kept by the
 * browser in an HttpOnly cookie and stored only as its SHA-256. The CSRF token is derived from
 * the id (HMAC keyed by the id), so every process can check it without a shared secret or a
 * stored copy, and knowing it (the page does) reveals nothing about the id.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

/** A session id as issued: 32 random bytes, base64url (43 characters). */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** A new random session id. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** True when `value` has the shape of an issued id (anything else is refused without a lookup). */
export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value);
}

/** SHA-256 (hex) of a session id: what the database stores and is searched by. */
export function hashSessionId(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

/** The CSRF token of a session: HMAC-SHA256 keyed by the session id, base64url. */
export function csrfTokenFor(sessionId: string): string {
  return createHmac('sha256', sessionId).update('tierpass.csrf.v1').digest('base64url');
}
