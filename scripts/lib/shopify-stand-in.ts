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
import {
  buildSchema,
  type DocumentNode,
  execute,
  type GraphQLError,
  Kind,
  parse,
  type SelectionNode,
  type ValueNode,
  validate,
} from 'graphql';
import { includeFields, subscriptionTopic } from './shopify-include-fields.js';
import { type StandInBulk, standInBulk } from './shopify-stand-in-bulk.js';

const SCHEMA = buildSchema(
  readFileSync(new URL('../../test/fixtures/shopify/admin-2022-07.graphql', import.meta.url), 'utf8'),
);

export interface SentDocument {
  operationName: string | undefined;
  query: string;
  variables: Record<string, unknown>;
  /** Validation errors against the Admin schema (empty when valid). */
  errors: string[];
  /**
   * What it cost once run, by the stand-in's model of Shopify's actual cost (the objects returned,
   * `resultCost`); Shopify refunds the requested cost's unused part. Unset when not run.
   */
  actualCost?: number;
}

export interface ShopifyStandIn {
  /** Origin of the Admin API, for `ShopifyAdminOptions.origin`. */
  origin: string;
  shop: string;
  accessToken: string;
  /** Every GraphQL document received, in order. */
  documents: SentDocument[];
  /** Webhook subscriptions as the shop holds them (`includeFields` empty: the whole payload). */
  subscriptions: { id: string; topic: string; callbackUrl: string; includeFields: string[] }[];
  /**
   * A delivery's body as this shop sends it to its subscription of `topic` (e.g. `orders/paid`):
   * only the subscription's `includeFields` of `payload` (decision 0055); the whole payload when
   * the subscription asks for every field or none subscribes (the mandatory privacy topics are
   * the app's, not a subscription's, and always come whole).
   */
  sentAs(topic: string, payload: unknown): unknown;
  /** The shop's history the `customers`, `orders` and `node` queries page through (the backfill). */
  history: StandInHistory;
  /** Bulk operations (`bulkOperationRunQuery`, polling, the JSONL export): controls and counters. */
  bulk: StandInBulk;
  /** Answer the next `n` calls THROTTLED (Shopify's cost error). */
  throttle(n: number): void;
  /** Answer THROTTLED every call whose document `match`es, until cleared (undefined). */
  throttleWhen(match: ((d: SentDocument) => boolean) | undefined): void;
  /** THROTTLED answers sent so far (by `throttle` or by the cost bucket). */
  throttledAnswers: number;
  /** Documents refused MAX_COST_EXCEEDED (requested cost over 1,000) so far. */
  maxCostRefusals: number;
  /** Keep Shopify's cost bucket for real from now on, starting full (see `bucket` of the options); undefined: stop. */
  setBucket(limit: { maximumAvailable: number; restoreRate: number } | undefined): void;
  /**
   * The shop's customer segments (decision 0048): name → member customer ids (numeric strings).
   * Set, change or delete entries between syncs; ids are `gid://shopify/Segment/<n>`, stable per name.
   */
  segments: Map<string, string[]>;
  /** The Admin id the stand-in gives the segment `name`. */
  segmentId(name: string): string;
  /**
   * The merchant approving an OAuth install (needs `app`): checks the authorize URL as Shopify
   * would (client id, redirect URI) and returns the redirect back, path and query, with a fresh
   * one-time `code` and the `hmac` Shopify signs the query with.
   */
  approve(authorizeUrl: string): { redirectUri: string; path: string; query: URLSearchParams };
  /** Authorization codes exchanged at /admin/oauth/access_token. */
  exchanged: string[];
  /** Answer the next `n` calls HTTP 429 with `Retry-After: seconds`. */
  tooManyRequests(n: number, seconds: number): void;
  /** Customers as the shop holds them (write-back target): tags and `namespace.key` metafields. */
  customers: Map<string, StandInCustomerState>;
  /** Every customer write applied (a `metafieldsSet`, after the tag changes of its document), in order. */
  customerWrites: { customerId: string; tags: string[]; metafields: Record<string, string> }[];
  close(): Promise<void>;
}

/** A customer's tags and metafields as write-back leaves them (0045). */
export interface StandInCustomerState {
  tags: string[];
  metafields: Map<string, { type: string; value: string }>;
}

export async function startShopifyStandIn(
  opts: {
    shop?: string;
    accessToken?: string;
    name?: string;
    currency?: string;
    /** The operator's Shopify app, for the OAuth install; `grantedScopes` default: those asked. */
    app?: { apiKey: string; apiSecret: string; grantedScopes?: string };
    /**
     * Shopify's cost limit for real: a leaky bucket of `maximumAvailable` points restored at
     * `restoreRate` per second; each call costs what `queryCost` computes, a call the bucket
     * cannot cover is answered THROTTLED, and every answer reports the level as Shopify does
     * (`extensions.cost`). Without it every call costs 1 of a bucket always nearly full.
     */
    bucket?: { maximumAvailable: number; restoreRate: number };
  } = {},
): Promise<ShopifyStandIn> {
  const shop = opts.shop ?? 'tierpass-test.myshopify.com';
  const accessToken = opts.accessToken ?? `shpat_${randomUUID().replaceAll('-', '')}`;
  const documents: SentDocument[] = [];
  const subscriptions: ShopifyStandIn['subscriptions'] = [];
  let throttled = 0;
  let throttleMatch: ((d: SentDocument) => boolean) | undefined;
  let throttledAnswers = 0;
  let maxCostRefusals = 0;
  let limit = opts.bucket;
  let bucket = limit ? { level: limit.maximumAvailable, at: Date.now() } : undefined;
  let limited = { n: 0, seconds: 1 };
  let nextId = 1;
  const segments = new Map<string, string[]>();
  const segmentIds = new Map<string, string>();
  const segmentId = (name: string) => {
    let id = segmentIds.get(name);
    if (!id) {
      id = `gid://shopify/Segment/${700 + segmentIds.size}`;
      segmentIds.set(name, id);
    }
    return id;
  };
  // A connection page as Shopify pages: opaque cursors, `first` items after `after`.
  const paged = <T>(items: T[], args: { first?: number; after?: string | null }) => {
    const from = args.after ? Number(Buffer.from(args.after, 'base64').toString('utf8')) + 1 : 0;
    const first = args.first ?? 50;
    const slice = items.slice(from, from + first);
    const cursor = (i: number) => Buffer.from(String(from + i), 'utf8').toString('base64');
    return {
      edges: slice.map((node, i) => ({ cursor: cursor(i), node })),
      nodes: slice,
      pageInfo: {
        hasNextPage: from + first < items.length,
        hasPreviousPage: from > 0,
        startCursor: slice.length > 0 ? cursor(0) : null,
        endCursor: slice.length > 0 ? cursor(slice.length - 1) : null,
      },
    };
  };
  // OAuth: codes issued by approve(), each exchangeable once, with the scopes asked.
  const codes = new Map<string, string>();
  const exchanged: string[] = [];
  const customers = new Map<string, StandInCustomerState>();
  const customerWrites: ShopifyStandIn['customerWrites'] = [];
  const customerOf = (gid: string) => {
    const m = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(gid);
    return m ? customers.get(m[1] as string) : undefined;
  };
  const logWrite = (gid: string) => {
    const c = customerOf(gid);
    if (!c) return;
    customerWrites.push({
      customerId: gid.split('/').pop() as string,
      tags: [...c.tags],
      metafields: Object.fromEntries([...c.metafields].map(([k, v]) => [k, v.value])),
    });
  };
  const missing = { field: ['id'], message: 'Customer does not exist' };

  const history: StandInHistory = { customers: [], orders: [] };
  const historyFields = historyRoot(history);
  let origin = '';
  const bulk = standInBulk({ schema: SCHEMA, root: () => root, origin: () => origin });
  // The Admin API's root fields Tierpass uses, resolved from the stand-in's state.
  const root = {
    segments: (args: { first?: number; after?: string | null }) =>
      paged(
        [...segments.keys()].map((name) => ({
          id: segmentId(name),
          name,
          query: `customer_tags CONTAINS '${name}'`,
          creationDate: '2026-01-01T00:00:00Z',
          lastEditDate: '2026-01-01T00:00:00Z',
        })),
        args,
      ),
    customerSegmentMembers: (args: { segmentId?: string; first?: number; after?: string | null }) => {
      const name = [...segments.keys()].find((n) => segmentId(n) === args.segmentId);
      if (name === undefined) throw new Error('Segment does not exist');
      const ids = segments.get(name) ?? [];
      return {
        ...paged(
          ids.map((id) => ({
            // Shopify's member ids end in the customer's id.
            id: `gid://shopify/CustomerSegmentMember/${id}`,
            displayName: `Customer ${id}`,
          })),
          args,
        ),
        statistics: {},
      };
    },
    ...historyFields,
    ...bulk.root,
    node: (args: { id: string }) => bulk.node(args.id) ?? historyFields.node(args),
    shop: { name: opts.name ?? 'Tierpass Test Shop', currencyCode: opts.currency ?? 'USD' },
    webhookSubscriptions: (args: { first: number; callbackUrl?: string }) => ({
      edges: subscriptions
        .filter((s) => args.callbackUrl === undefined || s.callbackUrl === args.callbackUrl)
        .slice(0, args.first)
        .map((s) => ({ cursor: s.id, node: { id: s.id, topic: s.topic, includeFields: s.includeFields } })),
      pageInfo: { hasNextPage: false, hasPreviousPage: false },
    }),
    webhookSubscriptionCreate: (args: {
      topic: string;
      webhookSubscription: { callbackUrl: string; includeFields?: string[] | null };
    }) => {
      const s = {
        id: `gid://shopify/WebhookSubscription/${nextId++}`,
        topic: args.topic,
        callbackUrl: args.webhookSubscription.callbackUrl,
        includeFields: args.webhookSubscription.includeFields ?? [],
      };
      subscriptions.push(s);
      return { webhookSubscription: { id: s.id, topic: s.topic }, userErrors: [] };
    },
    webhookSubscriptionUpdate: (args: {
      id: string;
      webhookSubscription: { callbackUrl?: string; includeFields?: string[] | null };
    }) => {
      const s = subscriptions.find((x) => x.id === args.id);
      if (!s)
        return {
          webhookSubscription: null,
          userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
        };
      if (args.webhookSubscription.callbackUrl) s.callbackUrl = args.webhookSubscription.callbackUrl;
      if (args.webhookSubscription.includeFields !== undefined) {
        s.includeFields = args.webhookSubscription.includeFields ?? [];
      }
      return { webhookSubscription: { id: s.id, topic: s.topic }, userErrors: [] };
    },
    // Shopify's semantics: tags are a set, compared case-insensitively; removing an absent tag is fine.
    tagsAdd: (args: { id: string; tags: string[] }) => {
      const c = customerOf(args.id);
      if (!c) return { node: null, userErrors: [missing] };
      for (const t of args.tags) if (!c.tags.some((x) => x.toLowerCase() === t.toLowerCase())) c.tags.push(t);
      return { node: null, userErrors: [] };
    },
    tagsRemove: (args: { id: string; tags: string[] }) => {
      const c = customerOf(args.id);
      if (!c) return { node: null, userErrors: [missing] };
      const gone = new Set(args.tags.map((t) => t.toLowerCase()));
      c.tags = c.tags.filter((t) => !gone.has(t.toLowerCase()));
      return { node: null, userErrors: [] };
    },
    metafieldsSet: (args: {
      metafields: { ownerId: string; namespace: string; key: string; type: string; value: string }[];
    }) => {
      const userErrors: { field: string[]; message: string; code: string }[] = [];
      args.metafields.forEach((m, i) => {
        const c = customerOf(m.ownerId);
        if (!c)
          userErrors.push({
            field: ['metafields', String(i), 'ownerId'],
            message: 'Owner does not exist',
            code: 'INVALID_VALUE',
          });
        else if (m.value.trim() === '')
          userErrors.push({
            field: ['metafields', String(i), 'value'],
            message: "Value can't be blank",
            code: 'BLANK',
          });
        else if (m.type === 'number_integer' && !/^-?\d+$/.test(m.value))
          userErrors.push({
            field: ['metafields', String(i), 'value'],
            message: 'Value must be an integer',
            code: 'INVALID_VALUE',
          });
        else if (!['single_line_text_field', 'number_integer'].includes(m.type))
          userErrors.push({
            field: ['metafields', String(i), 'type'],
            message: 'Type is not supported',
            code: 'INVALID_TYPE',
          });
      });
      if (userErrors.length > 0) return { metafields: null, userErrors };
      for (const m of args.metafields) {
        customerOf(m.ownerId)?.metafields.set(`${m.namespace}.${m.key}`, { type: m.type, value: m.value });
      }
      const owner = args.metafields[0]?.ownerId;
      if (owner) logWrite(owner);
      return { metafields: args.metafields.map((m) => ({ key: m.key })), userErrors: [] };
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
      if (bulk.serve(req, res)) return;
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
      if (limited.n > 0) {
        limited.n--;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(limited.seconds) });
        res.end(
          JSON.stringify({
            errors:
              'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
          }),
        );
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
      const sent: SentDocument = {
        operationName,
        query,
        variables: variables ?? {},
        errors: errors.map((e) => e.message),
      };
      documents.push(sent);
      if (errors.length > 0) {
        send(200, { errors: errors.map((e) => ({ message: e.message })) });
        return;
      }
      // Shopify refuses any single query whose requested cost is over 1,000 points, before it runs
      // and whatever the bucket holds (MAX_COST_EXCEEDED); checked on every document.
      const cost = queryCost(doc, variables ?? {});
      if (cost > MAX_QUERY_COST) {
        maxCostRefusals++;
        send(200, {
          errors: [
            {
              message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
              extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: MAX_QUERY_COST },
            },
          ],
        });
        return;
      }
      const requested = limit ? cost : 1;
      let available = 1999;
      if (limit && bucket) {
        const now = Date.now();
        bucket.level = Math.min(
          limit.maximumAvailable,
          bucket.level + (limit.restoreRate * (now - bucket.at)) / 1000,
        );
        bucket.at = now;
        available = bucket.level;
      }
      const status = (level: number) => ({
        maximumAvailable: limit?.maximumAvailable ?? 2000,
        currentlyAvailable: Math.floor(level),
        restoreRate: limit?.restoreRate ?? 100,
      });
      const forced = throttled > 0 || throttleMatch?.(sent) === true;
      if (forced || available < requested) {
        if (throttled > 0) throttled--;
        throttledAnswers++;
        send(200, {
          errors: [
            {
              message: 'Throttled',
              extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
            },
          ],
          extensions: {
            cost: {
              requestedQueryCost: limit ? requested : 12,
              actualQueryCost: null,
              throttleStatus: status(limit ? available : 0),
            },
          },
        });
        return;
      }
      if (bucket) bucket.level -= requested;
      const result = execute({ schema: SCHEMA, document: doc, rootValue: root, variableValues: variables });
      if (!(result instanceof Promise)) sent.actualCost = Math.max(1, resultCost(result.data));
      send(200, {
        ...(result as object),
        extensions: {
          cost: {
            requestedQueryCost: requested,
            actualQueryCost: requested,
            throttleStatus: status(bucket ? bucket.level : available),
          },
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    bulk: bulk.bulk,
    shop,
    accessToken,
    documents,
    subscriptions,
    sentAs(topic, payload) {
      const s = subscriptions.find((x) => x.topic === subscriptionTopic(topic));
      return s ? includeFields(payload, s.includeFields) : payload;
    },
    history,
    throttle(n) {
      throttled = n;
    },
    throttleWhen(match) {
      throttleMatch = match;
    },
    get throttledAnswers() {
      return throttledAnswers;
    },
    get maxCostRefusals() {
      return maxCostRefusals;
    },
    setBucket(l) {
      limit = l;
      bucket = l ? { level: l.maximumAvailable, at: Date.now() } : undefined;
    },
    segments,
    segmentId,
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
    tooManyRequests(n, seconds) {
      limited = { n, seconds };
    },
    customers,
    customerWrites,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Shopify's limit on one query's requested cost (shopify.dev, "Single query limit"). */
export const MAX_QUERY_COST = 1000;

/**
 * A document's cost as Shopify's calculated query cost counts it (shopify.dev "API rate limits"):
 * each mutation field 10; a query 1 per object, a connection 2 plus the objects it asks for
 * (`first`). Fields left out by `@include(if: false)` / `@skip(if: true)` cost nothing.
 */
export function queryCost(doc: DocumentNode, variables: Record<string, unknown>): number {
  const value = (v: ValueNode | undefined): unknown => {
    if (!v) return undefined;
    if (v.kind === Kind.VARIABLE) return variables[v.name.value];
    if (v.kind === Kind.INT) return Number(v.value);
    if (v.kind === Kind.BOOLEAN) return v.value;
    return undefined;
  };
  const included = (sel: SelectionNode) =>
    (sel.directives ?? []).every((d) => {
      const arg = value(d.arguments?.find((a) => a.name.value === 'if')?.value);
      if (d.name.value === 'include') return arg !== false;
      if (d.name.value === 'skip') return arg !== true;
      return true;
    });
  const fields = (sels: readonly SelectionNode[]): number =>
    sels.filter(included).reduce((sum, sel) => {
      if (sel.kind !== Kind.FIELD)
        return sum + (sel.kind === Kind.INLINE_FRAGMENT ? fields(sel.selectionSet.selections) : 0);
      if (!sel.selectionSet) return sum;
      const first = value(sel.arguments?.find((a) => a.name.value === 'first')?.value);
      const inner = fields(sel.selectionSet.selections);
      if (typeof first === 'number') return sum + 2 + first * Math.max(1, inner);
      return sum + 1 + inner;
    }, 0);
  let cost = 0;
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    const top = def.selectionSet.selections.filter(included);
    cost += def.operation === 'mutation' ? 10 * top.length : fields(top);
  }
  return Math.max(1, cost);
}

/**
 * A result's cost by the objects it returned (1 each; a connection's edges and page info free, its
 * nodes counted), a model of Shopify's actual query cost (shopify.dev "API rate limits": the
 * actual cost counts what was returned, not what `first` asked for).
 */
export function resultCost(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + resultCost(v), 0);
  if (value === null || typeof value !== 'object') return 0;
  let cost = 1;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'pageInfo') continue;
    if (k === 'edges' && Array.isArray(v)) cost += v.reduce((n: number, e) => n + resultCost(e?.node), 0);
    else cost += resultCost(v);
  }
  return cost;
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

/** A customer as the Admin API returns it (the fields the backfill reads). */
export interface StandInCustomer {
  legacyResourceId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
  updatedAt: string;
}

/** An order as the Admin API returns it, with its refunds' line item subtotals. */
export interface StandInOrder {
  legacyResourceId: string;
  test: boolean;
  processedAt: string;
  createdAt: string;
  cancelledAt: string | null;
  displayFinancialStatus: string;
  currency: string;
  subtotal: string;
  total: string;
  customer: StandInCustomer | null;
  refunds: { legacyResourceId: string; lines: string[] }[];
}

export interface StandInHistory {
  customers: StandInCustomer[];
  orders: StandInOrder[];
}

/** `field:>='instant'` of Shopify's search syntax, the only filter the backfill sends. */
function since(query: string | undefined, field: string): number {
  const m = query?.match(new RegExp(`${field}:>='?([^' ]+)'?`));
  return m?.[1] ? Date.parse(m[1]) : Number.NEGATIVE_INFINITY;
}

/** A page of `all` after the opaque cursor (Shopify's cursors are opaque base64 strings). */
function connection<S, T = S>(
  all: S[],
  args: { first: number; after?: string | null },
  map: (s: S) => T = (s) => s as unknown as T,
) {
  const start = args.after ? Number(Buffer.from(args.after, 'base64').toString('utf8').split(':')[1]) + 1 : 0;
  // Only the page is shaped: a 100,000-order shop (the benchmark) is paged without copying it.
  const slice = all.slice(start, start + args.first).map(map);
  const cursor = (i: number) => Buffer.from(`at:${start + i}`).toString('base64');
  return {
    edges: slice.map((node, i) => ({ cursor: cursor(i), node })),
    pageInfo: {
      hasNextPage: start + slice.length < all.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length > 0 ? cursor(0) : null,
      endCursor: slice.length > 0 ? cursor(slice.length - 1) : null,
    },
  };
}

const moneyBag = (amount: string, currencyCode: string) => ({
  shopMoney: { amount, currencyCode },
  presentmentMoney: { amount, currencyCode },
});

const refundGid = (id: string) => `gid://shopify/Refund/${id}`;

/** Root fields over the stand-in's history: `customers`, `orders` (cursor pages), `node` (refunds). */
function historyRoot(history: StandInHistory) {
  const refund = (o: StandInOrder, r: StandInOrder['refunds'][number]) => ({
    __typename: 'Refund',
    id: refundGid(r.legacyResourceId),
    legacyResourceId: r.legacyResourceId,
    refundLineItems: (args: { first: number; after?: string | null }) =>
      connection(
        r.lines.map((amount) => ({ subtotalSet: moneyBag(amount, o.currency) })),
        args,
      ),
  });
  const customer = (c: StandInCustomer) => ({ ...c, id: `gid://shopify/Customer/${c.legacyResourceId}` });
  let sorted: { key: string; all: StandInOrder[] } | undefined;
  let refunds: { size: number; byId: Map<string, ReturnType<typeof refund>> } | undefined;
  return {
    customers: (args: { first: number; after?: string | null; query?: string }) => {
      const from = since(args.query, 'updated_at');
      const all = history.customers
        .filter((c) => Date.parse(c.updatedAt) >= from)
        .sort((a, b) => Number(BigInt(a.legacyResourceId) - BigInt(b.legacyResourceId)));
      return connection(all, args, customer);
    },
    orders: (args: { first: number; after?: string | null; query?: string }) => {
      const from = since(args.query, 'processed_at');
      // Sorted once per filter while the history keeps its length (pages of one backfill).
      const key = `${from}:${history.orders.length}`;
      if (sorted?.key !== key) {
        sorted = {
          key,
          all: history.orders
            .filter((o) => Date.parse(o.processedAt) >= from)
            .sort((a, b) => Date.parse(a.processedAt) - Date.parse(b.processedAt)),
        };
      }
      const all = sorted.all;
      return connection(all, args, (o) => ({
        id: `gid://shopify/Order/${o.legacyResourceId}`,
        legacyResourceId: o.legacyResourceId,
        test: o.test,
        processedAt: o.processedAt,
        createdAt: o.createdAt,
        cancelledAt: o.cancelledAt,
        displayFinancialStatus: o.displayFinancialStatus,
        subtotalPriceSet: moneyBag(o.subtotal, o.currency),
        totalPriceSet: moneyBag(o.total, o.currency),
        customer: o.customer ? customer(o.customer) : null,
        refunds: (args2: { first?: number }) => o.refunds.slice(0, args2.first).map((r) => refund(o, r)),
      }));
    },
    node: (args: { id: string }) => {
      if (refunds?.size !== history.orders.length) {
        const byId = new Map<string, ReturnType<typeof refund>>();
        for (const o of history.orders)
          for (const r of o.refunds) byId.set(refundGid(r.legacyResourceId), refund(o, r));
        refunds = { size: history.orders.length, byId };
      }
      return refunds.byId.get(args.id) ?? null;
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
