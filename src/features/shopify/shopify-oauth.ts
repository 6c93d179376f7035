/**
 * Installing through Shopify's OAuth authorization-code grant, for operators who host several
 * shops with one Shopify app (issue 14 item 1, docs/decisions/0047). Written with `node:crypto`
 * like the webhook HMAC (decision 0042): the flow is two HMACs and one POST, and
 * `@shopify/shopify-api` (not installed) would bring its own config, session storage and cookie
 * handling for them.
 *
 * 1. A merchant (API key or console session) asks for an install link for its program and shop:
 *    a signed, 24-hour token naming both. The program a shop installs into is the program that
 *    made the link, never guessed from the shop.
 * 2. `GET /shopify/install?shop&link` checks the link and redirects to
 *    `https://{shop}/admin/oauth/authorize` with the app's client id, scopes, the callback and a
 *    `state`: a signed, 10-minute nonce naming the program and the shop.
 * 3. `GET /shopify/callback` checks the query's `hmac` (hex HMAC-SHA256 of the other parameters,
 *    sorted, under the app secret, in constant time), the shop's hostname, the state (signature,
 *    age, same shop), exchanges the code at `https://{shop}/admin/oauth/access_token` for an
 *    offline token, and connects the shop exactly as the manual connection does, the app secret
 *    being the webhook secret (Shopify signs an app's webhooks with it). A browser is then sent
 *    to the console's Shopify page, `?install=connected&shop=…` or `?install=failed&error=<code>`
 *    (docs/decisions/0051); a client asking for JSON gets the connection or the error as JSON.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, badRequest, notFound, unprocessable } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { ProgramRecord } from '../../store/port.js';
import type { ShopifyConnectionRecord } from '../../store/shopify-port.js';
import type { ConnectInput } from './shopify-schemas.js';
import { SHOP_DOMAIN } from './shopify-schemas.js';

/** The operator's Shopify app (SHOPIFY_API_KEY, SHOPIFY_API_SECRET, SHOPIFY_SCOPES). */
export interface ShopifyAppCredentials {
  apiKey: string;
  apiSecret: string;
  scopes: string[];
}

export const INSTALL_PATH = '/shopify/install';
export const CALLBACK_PATH = '/shopify/callback';
/** The console's Shopify page, where the callback sends the merchant's browser (same origin). */
export const CONSOLE_SHOPIFY_PATH = '/console/shopify';

/** Where the callback sends a browser: the console's Shopify page saying how the install ended. */
export function consoleInstallUrl(
  outcome: { install: 'connected'; shop: string } | { install: 'failed'; error: string },
): string {
  return `${CONSOLE_SHOPIFY_PATH}?${new URLSearchParams(outcome)}`;
}
export const LINK_TTL_MS = 24 * 60 * 60 * 1000;
export const STATE_TTL_MS = 10 * 60 * 1000;

interface Signed {
  /** 'link' (made by the merchant) or 'state' (the OAuth round trip). */
  k: 'link' | 'state';
  /** Program id. */
  p: string;
  /** Shop domain. */
  s: string;
  /** Random nonce. */
  n: string;
  /** Expiry, ms since the epoch. */
  e: number;
}

/** Constant-time check of the callback's `hmac`: hex HMAC-SHA256 of the sorted other parameters. */
export function validOAuthQuery(query: URLSearchParams, secret: string): boolean {
  const given = query.get('hmac');
  if (!given || !/^[0-9a-f]{64}$/i.test(given)) return false;
  const message = [...query.entries()]
    .filter(([k]) => k !== 'hmac' && k !== 'signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const expected = createHmac('sha256', secret).update(message).digest();
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

export interface ShopifyOAuthDeps {
  app?: ShopifyAppCredentials;
  /** PUBLIC_URL: where Shopify sends the merchant back. */
  publicUrl?: string;
  /** Where a shop's OAuth endpoints are reached (tests: the stand-in); default `https://<shop>`. */
  origin?: (shop: string) => string;
  /** The real time (links and states expire in it). */
  now(): Date;
  program(programId: string): Promise<ProgramRecord | null>;
  programNow(program: ProgramRecord): Date;
  connection(programId: string): Promise<ShopifyConnectionRecord | null>;
  connect(ctx: ProgramContext, input: ConnectInput): Promise<unknown>;
}

export class ShopifyOAuth {
  private readonly key: Buffer | undefined;

  constructor(private readonly deps: ShopifyOAuthDeps) {
    // A key of its own for links and states, derived from the app secret.
    this.key = deps.app
      ? createHmac('sha256', deps.app.apiSecret).update('tierpass shopify install state').digest()
      : undefined;
  }

  private configured(): { app: ShopifyAppCredentials; key: Buffer; base: string } {
    if (!this.deps.app || !this.key) {
      throw new AppError(
        503,
        'shopify_app_not_configured',
        'OAuth install needs SHOPIFY_API_KEY and SHOPIFY_API_SECRET (docs/shopify.md)',
      );
    }
    if (!this.deps.publicUrl) {
      throw new AppError(
        503,
        'public_url_not_configured',
        'PUBLIC_URL is needed for Shopify to reach Tierpass',
      );
    }
    return { app: this.deps.app, key: this.key, base: this.deps.publicUrl.replace(/\/+$/, '') };
  }

  private sign(key: Buffer, v: Omit<Signed, 'n'>): string {
    const body = Buffer.from(JSON.stringify({ ...v, n: randomBytes(12).toString('base64url') })).toString(
      'base64url',
    );
    return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
  }

  private verify(key: Buffer, token: string | null, kind: Signed['k'], shop: string): Signed | null {
    if (!token || token.length > 1024) return null;
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return null;
    // Compared as text: one encoding only (no unused trailing bits to vary).
    const expected = Buffer.from(createHmac('sha256', key).update(body).digest('base64url'));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let v: Signed;
    try {
      v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Signed;
    } catch {
      return null;
    }
    if (v.k !== kind || v.s !== shop || typeof v.p !== 'string' || !(v.e > this.deps.now().getTime())) {
      return null;
    }
    return v;
  }

  /**
   * Whether installing through the operator's Shopify app is possible here (SHOPIFY_API_KEY and
   * SHOPIFY_API_SECRET set, and PUBLIC_URL for Shopify to come back to), and the scopes it asks.
   */
  availability(): { installThroughShopify: boolean; scopes: string[] } {
    const ready = Boolean(this.deps.app && this.key && this.deps.publicUrl);
    return { installThroughShopify: ready, scopes: ready ? (this.deps.app?.scopes ?? []) : [] };
  }

  /** An install link for the caller's program and one shop, valid for 24 hours. */
  installLink(ctx: ProgramContext, shopDomain: string) {
    const { key, base } = this.configured();
    const expires = this.deps.now().getTime() + LINK_TTL_MS;
    const link = this.sign(key, { k: 'link', p: ctx.program.id, s: shopDomain, e: expires });
    const q = new URLSearchParams({ shop: shopDomain, link });
    return { url: `${base}${INSTALL_PATH}?${q}`, expiresAt: new Date(expires).toISOString() };
  }

  /** Where `GET /shopify/install` sends the merchant: the shop's authorization page. */
  authorizeUrl(query: URLSearchParams): string {
    const { app, key, base } = this.configured();
    const shop = query.get('shop') ?? '';
    if (!SHOP_DOMAIN.test(shop))
      throw badRequest('shopify_shop_invalid', 'shop must be <name>.myshopify.com');
    const link = this.verify(key, query.get('link'), 'link', shop);
    if (!link) {
      throw badRequest(
        'shopify_install_link_invalid',
        'The install link is missing, altered, expired or for another shop: make a new one in Tierpass',
      );
    }
    const state = this.sign(key, {
      k: 'state',
      p: link.p,
      s: shop,
      e: this.deps.now().getTime() + STATE_TTL_MS,
    });
    const q = new URLSearchParams({
      client_id: app.apiKey,
      scope: app.scopes.join(','),
      redirect_uri: `${base}${CALLBACK_PATH}`,
      state,
    });
    // No grant_options[]=per-user: an offline token, which outlives the merchant's session.
    return `https://${shop}/admin/oauth/authorize?${q}`;
  }

  /** Shopify's redirect back: verified, the code exchanged, the shop connected. */
  async callback(query: URLSearchParams) {
    const { app, key } = this.configured();
    const shop = query.get('shop') ?? '';
    if (!SHOP_DOMAIN.test(shop))
      throw badRequest('shopify_shop_invalid', 'shop must be <name>.myshopify.com');
    if (!validOAuthQuery(query, app.apiSecret)) {
      throw new AppError(401, 'shopify_signature_invalid', 'The hmac parameter does not match the query');
    }
    const state = this.verify(key, query.get('state'), 'state', shop);
    if (!state)
      throw badRequest('shopify_state_invalid', 'The state is missing, altered, expired or for another shop');
    const code = query.get('code');
    if (!code || code.length > 512) throw badRequest('shopify_code_invalid', 'The code is missing');
    const program = await this.deps.program(state.p);
    if (!program) throw notFound('program_not_found', 'The program that made the install link is gone');
    const accessToken = await this.exchange(shop, code, app);
    const ctx = { program, now: this.deps.programNow(program) };
    const existing = await this.deps.connection(program.id);
    return this.deps.connect(ctx, {
      shopDomain: shop,
      accessToken,
      webhookSecret: app.apiSecret,
      earnOn: existing?.earnOn ?? 'subtotal',
      includeTestOrders: existing?.includeTestOrders ?? false,
    });
  }

  /** The authorization code for an offline access token (checked to carry every scope asked). */
  private async exchange(shop: string, code: string, app: ShopifyAppCredentials): Promise<string> {
    const origin = this.deps.origin?.(shop) ?? `https://${shop}`;
    let res: Response;
    try {
      res = await fetch(`${origin}/admin/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ client_id: app.apiKey, client_secret: app.apiSecret, code }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new AppError(502, 'shopify_unavailable', 'The shop could not be reached');
    }
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw unprocessable(
        'shopify_code_rejected',
        'The shop refused the authorization code (used or expired)',
      );
    }
    if (!res.ok) throw new AppError(502, 'shopify_unavailable', `The shop answered HTTP ${res.status}`);
    const body = (await res.json().catch(() => null)) as { access_token?: unknown; scope?: unknown } | null;
    if (!body || typeof body.access_token !== 'string' || body.access_token.length === 0) {
      throw new AppError(502, 'shopify_unavailable', 'The shop answered without an access token');
    }
    const granted = new Set(typeof body.scope === 'string' ? body.scope.split(',').map((s) => s.trim()) : []);
    // write_x implies read_x in Shopify's scopes.
    const missing = app.scopes.filter(
      (s) => !granted.has(s) && !(s.startsWith('read_') && granted.has(`write_${s.slice(5)}`)),
    );
    if (missing.length > 0) {
      throw unprocessable('shopify_scope_missing', `The shop did not grant ${missing.join(', ')}`);
    }
    return body.access_token;
  }
}
