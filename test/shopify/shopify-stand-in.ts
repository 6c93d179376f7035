/**
 * A local Shopify on a real socket (127.0.0.1): the Admin GraphQL endpoint, checking
 * `X-Shopify-Access-Token`, validating every document against Shopify's published Admin schema
 * (test/fixtures/shopify/README.md) and executing it against that schema, throttling on demand;
 * and a webhook sender that signs with the app secret as Shopify does.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, execute, type GraphQLError, parse, validate } from 'graphql';

const SCHEMA = buildSchema(
  readFileSync(new URL('../fixtures/shopify/admin-2022-07.graphql', import.meta.url), 'utf8'),
);

export interface SentDocument {
  operationName: string | undefined;
  query: string;
  variables: Record<string, unknown>;
  /** Validation errors against the Admin schema (empty when valid). */
  errors: string[];
}

export interface ShopifyStandIn {
  /** Origin of the Admin API, for `ShopifyAdminOptions.origin`. */
  origin: string;
  shop: string;
  accessToken: string;
  /** Every GraphQL document received, in order. */
  documents: SentDocument[];
  /** Webhook subscriptions as the shop holds them. */
  subscriptions: { id: string; topic: string; callbackUrl: string }[];
  /** Answer the next `n` calls THROTTLED (Shopify's cost error). */
  throttle(n: number): void;
  /**
   * The merchant approving an OAuth install (needs `app`): checks the authorize URL as Shopify
   * would (client id, redirect URI) and returns the redirect back, path and query, with a fresh
   * one-time `code` and the `hmac` Shopify signs the query with.
   */
  approve(authorizeUrl: string): { redirectUri: string; path: string; query: URLSearchParams };
  /** Authorization codes exchanged at /admin/oauth/access_token. */
  exchanged: string[];
  close(): Promise<void>;
}

export async function startShopifyStandIn(
  opts: {
    shop?: string;
    accessToken?: string;
    name?: string;
    currency?: string;
    /** The operator's Shopify app, for the OAuth install; `grantedScopes` default: those asked. */
    app?: { apiKey: string; apiSecret: string; grantedScopes?: string };
  } = {},
): Promise<ShopifyStandIn> {
  const shop = opts.shop ?? 'tierpass-test.myshopify.com';
  const accessToken = opts.accessToken ?? `shpat_${randomUUID().replaceAll('-', '')}`;
  const documents: SentDocument[] = [];
  const subscriptions: ShopifyStandIn['subscriptions'] = [];
  let throttled = 0;
  let nextId = 1;
  // OAuth: codes issued by approve(), each exchangeable once, with the scopes asked.
  const codes = new Map<string, string>();
  const exchanged: string[] = [];

  // The Admin API's root fields Tierpass uses, resolved from the stand-in's state.
  const root = {
    shop: { name: opts.name ?? 'Tierpass Test Shop', currencyCode: opts.currency ?? 'USD' },
    webhookSubscriptions: (args: { first: number; callbackUrl?: string }) => ({
      edges: subscriptions
        .filter((s) => args.callbackUrl === undefined || s.callbackUrl === args.callbackUrl)
        .slice(0, args.first)
        .map((s) => ({ cursor: s.id, node: { id: s.id, topic: s.topic } })),
      pageInfo: { hasNextPage: false, hasPreviousPage: false },
    }),
    webhookSubscriptionCreate: (args: { topic: string; webhookSubscription: { callbackUrl: string } }) => {
      const s = {
        id: `gid://shopify/WebhookSubscription/${nextId++}`,
        topic: args.topic,
        callbackUrl: args.webhookSubscription.callbackUrl,
      };
      subscriptions.push(s);
      return { webhookSubscription: { id: s.id, topic: s.topic }, userErrors: [] };
    },
    webhookSubscriptionDelete: (args: { id: string }) => {
      const at = subscriptions.findIndex((s) => s.id === args.id);
      if (at < 0)
        return {
          deletedWebhookSubscriptionId: null,
          userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
        };
      subscriptions.splice(at, 1);
      return { deletedWebhookSubscriptionId: args.id, userErrors: [] };
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && req.url === '/admin/oauth/access_token') {
        // Shopify's token exchange: client id and secret, a one-time code → an offline token.
        let body: { client_id?: string; client_secret?: string; code?: string } = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {}
        const scope = body.code ? codes.get(body.code) : undefined;
        if (
          !opts.app ||
          body.client_id !== opts.app.apiKey ||
          body.client_secret !== opts.app.apiSecret ||
          scope === undefined
        ) {
          send(400, {
            error: 'invalid_request',
            error_description: 'The authorization code was not found or was already used',
          });
          return;
        }
        codes.delete(body.code as string);
        exchanged.push(body.code as string);
        send(200, { access_token: accessToken, scope: opts.app.grantedScopes ?? scope });
        return;
      }
      if (req.method !== 'POST' || !/^\/admin\/api\/\d{4}-\d{2}\/graphql\.json$/.test(req.url ?? '')) {
        send(404, { errors: 'Not Found' });
        return;
      }
      if (req.headers['x-shopify-access-token'] !== accessToken) {
        send(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
        return;
      }
      const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        query: string;
        variables?: Record<string, unknown>;
        operationName?: string;
      };
      let doc: ReturnType<typeof parse>;
      let errors: readonly GraphQLError[];
      try {
        doc = parse(query);
        errors = validate(SCHEMA, doc);
      } catch (err) {
        documents.push({ operationName, query, variables: variables ?? {}, errors: [String(err)] });
        send(200, { errors: [{ message: String(err) }] });
        return;
      }
      documents.push({
        operationName,
        query,
        variables: variables ?? {},
        errors: errors.map((e) => e.message),
      });
      if (errors.length > 0) {
        send(200, { errors: errors.map((e) => ({ message: e.message })) });
        return;
      }
      if (throttled > 0) {
        throttled--;
        send(200, {
          errors: [
            {
              message: 'Throttled',
              extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
            },
          ],
          extensions: {
            cost: {
              requestedQueryCost: 12,
              actualQueryCost: null,
              throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 },
            },
          },
        });
        return;
      }
      const result = execute({ schema: SCHEMA, document: doc, rootValue: root, variableValues: variables });
      send(200, {
        ...(result as object),
        extensions: {
          cost: {
            requestedQueryCost: 1,
            actualQueryCost: 1,
            throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 },
          },
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    shop,
    accessToken,
    documents,
    subscriptions,
    throttle(n) {
      throttled = n;
    },
    exchanged,
    approve(authorizeUrl) {
      if (!opts.app) throw new Error('the stand-in has no app');
      const u = new URL(authorizeUrl);
      if (u.protocol !== 'https:' || u.host !== shop || u.pathname !== '/admin/oauth/authorize') {
        throw new Error(`not this shop's authorize URL: ${authorizeUrl}`);
      }
      if (u.searchParams.get('client_id') !== opts.app.apiKey) throw new Error('unknown client_id');
      const redirectUri = u.searchParams.get('redirect_uri');
      const state = u.searchParams.get('state');
      if (!redirectUri || !state) throw new Error('redirect_uri and state are required');
      const code = randomUUID().replaceAll('-', '');
      codes.set(code, u.searchParams.get('scope') ?? '');
      const query = new URLSearchParams({
        code,
        host: Buffer.from(`admin.shopify.com/store/${shop.split('.')[0]}`).toString('base64url'),
        shop,
        state,
        timestamp: String(Math.floor(Date.now() / 1000)),
      });
      query.set('hmac', oauthHmac(query, opts.app.apiSecret));
      const r = new URL(redirectUri);
      return { redirectUri, path: `${r.pathname}?${query}`, query };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A signed delivery as Shopify sends it: the HMAC is over these exact bytes. */
export function signedWebhook(
  secret: string,
  shop: string,
  topic: string,
  payload: unknown,
  webhookId: string = randomUUID(),
): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': topic,
      'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(body, 'utf8').digest('base64'),
      'X-Shopify-Shop-Domain': shop,
      'X-Shopify-Webhook-Id': webhookId,
      'X-Shopify-Triggered-At': new Date().toISOString(),
      'X-Shopify-API-Version': '2025-10',
      'X-Shopify-Event-Id': randomUUID(),
    },
  };
}

/** Shopify's OAuth query signature: hex HMAC-SHA256 of the other parameters, sorted, `k=v&…`. */
export function oauthHmac(query: URLSearchParams, secret: string): string {
  const message = [...query.entries()]
    .filter(([k]) => k !== 'hmac' && k !== 'signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return createHmac('sha256', secret).update(message).digest('hex');
}
