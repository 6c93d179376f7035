/**
 * Klaviyo's REST API with a private key (docs/decisions/0044, 0052): the calls Tierpass makes,
 * with plain `fetch`. Every request carries `Authorization: Klaviyo-API-Key <key>`, the pinned
 * `revision` and JSON:API content types; failures become a `KlaviyoApiError` with the status and,
 * for 429, Klaviyo's `Retry-After`.
 */

/** The API revision Tierpass is written against (the vendored schema's, test/fixtures/klaviyo). */
export const KLAVIYO_REVISION = '2026-07-15';

/** Klaviyo's own origin. */
export const KLAVIYO_ORIGIN = 'https://a.klaviyo.com';

const JSON_API = 'application/vnd.api+json';

/** A request Klaviyo did not accept (or that did not reach it: `status` 0). */
export class KlaviyoApiError extends Error {
  constructor(
    /** HTTP status; 0 when no answer came (network, timeout). */
    readonly status: number,
    message: string,
    /** 429: how long Klaviyo asked to wait (Retry-After), in milliseconds. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'KlaviyoApiError';
  }

  /** 401/403: the key is wrong, revoked or lacks a scope; retrying cannot help. */
  get keyRefused(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /** Worth another attempt: throttling, Klaviyo's errors, no answer. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface KlaviyoClientOptions {
  /** Where Klaviyo is reached (tests: a local stand-in); default https://a.klaviyo.com. */
  origin?: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

/** One Klaviyo account with one private key. */
export interface KlaviyoApi {
  /** GET /api/accounts/: checks the key; the account's id. */
  account(): Promise<{ id: string }>;
  /** POST /api/events (202). */
  createEvent(body: unknown): Promise<void>;
  /** POST /api/profile-import (200 updated, 201 created). */
  importProfile(body: unknown): Promise<void>;
  /** POST /api/profile-bulk-import-jobs (202): the job's id (up to 10,000 profiles, 5 MB). */
  bulkImportProfiles(body: unknown): Promise<{ jobId: string }>;
  /** POST /api/data-privacy-deletion-jobs (202): Klaviyo deletes the profile asynchronously. */
  requestProfileDeletion(body: unknown): Promise<void>;
  /** GET /api/profiles/ filtered by external id: the profile's Klaviyo id, or null when none. */
  profileIdByExternalId(externalId: string): Promise<string | null>;
}

/** Retry-After as seconds or an HTTP date, in milliseconds (at least 0). */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Klaviyo's JSON:API error detail, when there is one, else the status text. */
async function describe(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const first = (JSON.parse(text) as { errors?: { code?: string; detail?: string }[] }).errors?.[0];
    if (first?.detail) return `Klaviyo answered ${res.status}: ${first.code ?? 'error'}: ${first.detail}`;
  } catch {
    // not JSON: the status says enough
  }
  return `Klaviyo answered ${res.status} ${res.statusText}`.trim();
}

export function klaviyoApi(apiKey: string, opts: KlaviyoClientOptions = {}): KlaviyoApi {
  const origin = (opts.origin ?? KLAVIYO_ORIGIN).replace(/\/$/, '');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${origin}${path}`, {
        method,
        headers: {
          authorization: `Klaviyo-API-Key ${apiKey}`,
          revision: KLAVIYO_REVISION,
          accept: JSON_API,
          ...(body === undefined ? {} : { 'content-type': JSON_API }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new KlaviyoApiError(0, `Klaviyo could not be reached: ${(err as Error).message}`);
    }
    if (res.ok) return res;
    const wait = res.status === 429 ? retryAfterMs(res.headers.get('retry-after'), Date.now()) : null;
    throw new KlaviyoApiError(res.status, await describe(res), wait);
  }
  return {
    async account() {
      const res = await call('GET', '/api/accounts/');
      const body = (await res.json()) as { data?: { id?: unknown }[] };
      const id = body.data?.[0]?.id;
      if (typeof id !== 'string') throw new KlaviyoApiError(502, 'Klaviyo answered without an account');
      return { id };
    },
    async createEvent(body) {
      await (await call('POST', '/api/events', body)).arrayBuffer();
    },
    async importProfile(body) {
      await (await call('POST', '/api/profile-import', body)).arrayBuffer();
    },
    async bulkImportProfiles(body) {
      const res = await call('POST', '/api/profile-bulk-import-jobs', body);
      const job = (await res.json().catch(() => ({}))) as { data?: { id?: unknown } };
      return { jobId: typeof job.data?.id === 'string' ? job.data.id : '' };
    },
    async requestProfileDeletion(body) {
      await (await call('POST', '/api/data-privacy-deletion-jobs', body)).arrayBuffer();
    },
    async profileIdByExternalId(externalId) {
      // Klaviyo's filter syntax: a string in double quotes, with \ and " escaped.
      const quoted = `"${externalId.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
      const filter = encodeURIComponent(`equals(external_id,${quoted})`);
      const res = await call('GET', `/api/profiles/?filter=${filter}&fields[profile]=external_id`);
      const body = (await res.json()) as { data?: { id?: unknown }[] };
      const id = body.data?.[0]?.id;
      return typeof id === 'string' ? id : null;
    },
  };
}
