/** Constant-time comparison of secrets (API keys, admin token, CSRF tokens). */
import { createHash, timingSafeEqual } from 'node:crypto';

/** True when both are equal; constant-time whatever the lengths (their digests are compared). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
