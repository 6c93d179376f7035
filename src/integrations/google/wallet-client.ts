/**
 * A small Google Wallet REST client (loyaltyClass, loyaltyObject, addMessage) on
 * google-auth-library service-account auth. Errors are classified for the outbox: 429, 5xx,
 * timeouts and connection trouble are retryable; other 4xx are permanent.
 */
import { JWT } from 'google-auth-library';
import type { ServiceAccount } from './service-account.js';

/** OAuth scope of the Wallet API (issuer access). */
export const WALLET_SCOPE = 'https://www.googleapis.com/auth/wallet_object.issuer';
/** Google's token endpoint, fixed inside google-auth-library (gtoken). */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** The production API root. */
export const DEFAULT_WALLET_API_ROOT = 'https://walletobjects.googleapis.com/walletobjects/v1';

/** The Wallet resources Tierpass writes. */
export type WalletResource = 'loyaltyClass' | 'loyaltyObject';

/** A JSON resource body as the API takes and returns it. */
export type WalletBody = Record<string, unknown>;

/** A failed Wallet API (or token) call. */
export class WalletApiError extends Error {
  constructor(
    message: string,
    /** HTTP status, or null for connection trouble and timeouts. */
    readonly status: number | null,
    /** Worth trying again later (429, 5xx, network); otherwise the request itself is wrong. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'WalletApiError';
  }
}

/** 429, 408 and 5xx (or no answer at all) may pass later; other 4xx will not. */
export function isRetryableStatus(status: number | null): boolean {
  return status === null || status === 408 || status === 429 || status >= 500;
}

/** A message on a loyalty object (shown on the pass; TEXT_AND_NOTIFY also notifies the phone). */
export interface WalletMessage {
  /** Unique per object. */
  id: string;
  header: string;
  body: string;
  messageType: 'TEXT' | 'TEXT_AND_NOTIFY';
  /** When the message shows on the pass (without an end it stays in its list for ever). */
  displayInterval?: { start: { date: string }; end: { date: string } };
}

/** What the feature needs from the Wallet API (a stand-in in tests is a real HTTP server). */
export interface WalletApi {
  /** The resource, or null when the API says 404. */
  get(resource: WalletResource, id: string): Promise<WalletBody | null>;
  /** Create a resource (`body.id` names it). */
  insert(resource: WalletResource, body: WalletBody): Promise<WalletBody>;
  /**
   * Update the fields of `body` (patch: a field left out keeps its value at Google, an array
   * sent replaces the whole array).
   */
  patch(resource: WalletResource, id: string, body: WalletBody): Promise<WalletBody>;
  /** Patch; a resource the API does not know (404) is inserted instead. */
  upsert(resource: WalletResource, body: WalletBody & { id: string }): Promise<'patched' | 'inserted'>;
  /**
   * Update (PUT): the resource becomes `body`, every field left out is cleared at Google; a
   * resource the API does not know (404) is inserted instead.
   */
  replace(resource: WalletResource, body: WalletBody & { id: string }): Promise<'updated' | 'inserted'>;
  /** Add a message to a loyalty object. */
  addMessage(objectId: string, message: WalletMessage): Promise<void>;
}

export interface WalletClientOptions {
  /** Service account whose key signs the token requests. */
  account: ServiceAccount;
  /** API root, e.g. DEFAULT_WALLET_API_ROOT; no trailing slash needed. */
  apiRoot: string;
  /** Another OAuth token endpoint than Google's (a local stand-in in tests). */
  tokenUrl?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The Wallet REST client on service-account OAuth tokens. */
export class GoogleWalletClient implements WalletApi {
  private auth: JWT;
  private readonly root: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: WalletClientOptions) {
    this.root = opts.apiRoot.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.auth = this.newAuth();
  }

  /**
   * A JWT client (it caches its access token until it expires). The token URL is fixed inside
   * google-auth-library, so an override is applied by a request interceptor of its transporter.
   */
  private newAuth(): JWT {
    const auth = new JWT({
      email: this.opts.account.clientEmail,
      key: this.opts.account.privateKey,
      keyId: this.opts.account.privateKeyId,
      scopes: [WALLET_SCOPE],
    });
    const tokenUrl = this.opts.tokenUrl;
    if (tokenUrl && tokenUrl !== GOOGLE_TOKEN_URL) {
      auth.transporter.interceptors.request.add({
        resolved: async (config) => {
          if (config.url.href === GOOGLE_TOKEN_URL) config.url = new URL(tokenUrl);
          return config;
        },
      });
    }
    return auth;
  }

  private async authorization(): Promise<string> {
    try {
      const headers = await this.auth.getRequestHeaders();
      const value = headers.get('authorization');
      if (!value) throw new Error('no access token');
      return value;
    } catch (err) {
      const status = (err as { response?: { status?: number }; status?: number }).response?.status ?? null;
      throw new WalletApiError(
        `OAuth token request failed: ${errorText(err)}`,
        status,
        isRetryableStatus(status),
      );
    }
  }

  private async call(
    method: string,
    path: string,
    body?: WalletBody,
  ): Promise<{ status: number; json: unknown }> {
    const url = `${this.root}/${path}`;
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.authorization();
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization,
            accept: 'application/json',
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        throw new WalletApiError(`${method} ${path}: ${errorText(err)}`, null, true);
      }
      const text = await res.text();
      // A revoked or expired token: once more with a fresh one.
      if (res.status === 401 && attempt === 0) {
        this.auth = this.newAuth();
        continue;
      }
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      return { status: res.status, json };
    }
  }

  private fail(method: string, path: string, status: number, json: unknown): never {
    const message = (json as { error?: { message?: unknown } } | null)?.error?.message ?? `HTTP ${status}`;
    throw new WalletApiError(
      `${method} ${path}: ${status} ${String(message)}`,
      status,
      isRetryableStatus(status),
    );
  }

  async get(resource: WalletResource, id: string): Promise<WalletBody | null> {
    const path = `${resource}/${encodeURIComponent(id)}`;
    const r = await this.call('GET', path);
    if (r.status === 404) return null;
    if (r.status >= 300) this.fail('GET', path, r.status, r.json);
    return r.json as WalletBody;
  }

  async insert(resource: WalletResource, body: WalletBody): Promise<WalletBody> {
    const r = await this.call('POST', resource, body);
    if (r.status >= 300) this.fail('POST', resource, r.status, r.json);
    return r.json as WalletBody;
  }

  async patch(resource: WalletResource, id: string, body: WalletBody): Promise<WalletBody> {
    const path = `${resource}/${encodeURIComponent(id)}`;
    const r = await this.call('PATCH', path, body);
    if (r.status >= 300) this.fail('PATCH', path, r.status, r.json);
    return r.json as WalletBody;
  }

  async upsert(resource: WalletResource, body: WalletBody & { id: string }): Promise<'patched' | 'inserted'> {
    const path = `${resource}/${encodeURIComponent(body.id)}`;
    const r = await this.call('PATCH', path, body);
    if (r.status < 300) return 'patched';
    if (r.status !== 404) this.fail('PATCH', path, r.status, r.json);
    const created = await this.call('POST', resource, body);
    if (created.status < 300) return 'inserted';
    // Someone else inserted it between our patch and insert: patch it now.
    if (created.status === 409) {
      await this.patch(resource, body.id, body);
      return 'patched';
    }
    return this.fail('POST', resource, created.status, created.json);
  }

  async replace(
    resource: WalletResource,
    body: WalletBody & { id: string },
  ): Promise<'updated' | 'inserted'> {
    const path = `${resource}/${encodeURIComponent(body.id)}`;
    const r = await this.call('PUT', path, body);
    if (r.status < 300) return 'updated';
    if (r.status !== 404) this.fail('PUT', path, r.status, r.json);
    const created = await this.call('POST', resource, body);
    if (created.status < 300) return 'inserted';
    // Someone else inserted it between our update and insert: update it now.
    if (created.status === 409) {
      const again = await this.call('PUT', path, body);
      if (again.status < 300) return 'updated';
      return this.fail('PUT', path, again.status, again.json);
    }
    return this.fail('POST', resource, created.status, created.json);
  }

  async addMessage(objectId: string, message: WalletMessage): Promise<void> {
    const path = `loyaltyObject/${encodeURIComponent(objectId)}/addMessage`;
    const r = await this.call('POST', path, { message });
    if (r.status >= 300) this.fail('POST', path, r.status, r.json);
  }
}
