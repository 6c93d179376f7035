/**
 * Secrets that travel in URLs, kept out of request log lines. Shopper links carry their
 * credential in the path (`/passes/<token>…`); PassKit paths carry only identifiers (the pass
 * token travels in the Authorization header, redacted separately) and no route takes a secret
 * in its query string.
 */

const SECRET_PATHS: RegExp[] = [/^(\/passes\/)[^/?#]+/];

/** Shown in place of a secret. */
export const REDACTED = '[redacted]';

/** The URL (path and query) with every secret path segment replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  let out = url;
  for (const pattern of SECRET_PATHS) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}

/** Route parameters that are secrets (`/passes/:token`). */
const SECRET_PARAMS = new Set(['token']);

/** The route parameters with secret ones replaced. */
export function redactParams(
  params: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!params) return params;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = SECRET_PARAMS.has(k) ? REDACTED : v;
  return out;
}
