/**
 * The one way the console talks to the service: same-origin fetch with the session cookie
 * (HttpOnly: the page never sees it) and, on writes, the session's CSRF token header.
 * The API key is sent once, to POST /v1/session, and never kept anywhere in the browser.
 */

/** One field-level problem from a 400 `validation_failed` (path like `body.qualifications.0.minPoints`). */
export interface ApiErrorDetail {
  /** Dotted path of the offending input, starting with `body`, `query` or `params`. */
  path: string;
  /** zod issue code or a service code. */
  code: string;
  /** Human-readable message. */
  message: string;
}

/** A non-2xx answer of the API, with its stable code. */
export class ApiError extends Error {
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** Stable error code, e.g. `validation_failed`. */
    readonly code: string,
    message: string,
    /** Field errors, when the server gave any. */
    readonly details: ApiErrorDetail[] = [],
    /** Seconds from Retry-After (429, 503). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }

  /** Field errors keyed by path without the leading `body.` (e.g. `title`, `qualifications.0.minPoints`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) {
      const key = d.path.replace(/^body\.?/, '');
      out[key] ??= d.message;
    }
    return out;
  }
}

let csrfToken: string | null = null;

/** Set by the session layer after sign-in or on load (GET /v1/session); cleared on sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when any request answers 401: the session ended (expired, revoked). */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

export interface RequestOptions {
  /** JSON body (serialised), or raw bytes with `contentType`. */
  body?: unknown;
  /** Content type of a raw body (Blob/ArrayBuffer), e.g. image/png. */
  contentType?: string;
  /** Extra headers (Idempotency-Key, Authorization for the admin token). */
  headers?: Record<string, string>;
  /** Do not treat a 401 as the end of the session (sign-in and onboarding calls). */
  allowUnauthorized?: boolean;
  signal?: AbortSignal;
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = 'http_error';
  let message = `${res.status} ${res.statusText}`;
  let details: ApiErrorDetail[] = [];
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string; details?: ApiErrorDetail[] };
    };
    if (body.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
      details = body.error.details ?? [];
    }
  } catch {
    // Not JSON (a proxy's error page): keep the status line.
  }
  const retry = res.headers.get('Retry-After');
  return new ApiError(res.status, code, message, details, retry ? Number(retry) : null);
}

/** Call the API; resolves with the parsed JSON body (undefined for 204), rejects with ApiError. */
export async function api<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.contentType) {
    headers['Content-Type'] = opts.contentType;
    body = opts.body as BodyInit;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && !opts.allowUnauthorized) onUnauthorized?.();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? await res.json() : await res.blob()) as T;
}

/** A message for any thrown value, for banners. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 429) {
      return `Too many attempts. Try again in ${err.retryAfter ?? 60} seconds.`;
    }
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The write headers `api` adds (the CSRF token), for requests it cannot make (XHR uploads with progress). */
export function writeHeaders(): Record<string, string> {
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

/** The ApiError of a non-2xx XHR answer (same parsing as `api`). */
export function apiErrorOf(
  status: number,
  statusText: string,
  responseText: string,
  retryAfter: string | null,
) {
  return errorOf(
    new Response(responseText, {
      status,
      statusText,
      headers: retryAfter ? { 'Retry-After': retryAfter, 'Content-Type': 'application/json' } : {},
    }),
  );
}
