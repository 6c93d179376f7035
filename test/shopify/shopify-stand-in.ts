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
   * The shop's customer segments (decision 0048): name → member customer ids (numeric strings).
   * Set, change or delete entries between syncs; ids are `gid://shopify/Segment/<n>`, stable per name.
   */
  segments: Map<string, string[]>;
  /** The Admin id the stand-in gives the segment `name`. */
  segmentId(name: string): string;
  close(): Promise<void>;
}

export async function startShopifyStandIn(
  opts: { shop?: string; accessToken?: string; name?: string; currency?: string } = {},
): Promise<ShopifyStandIn> {
  const shop = opts.shop ?? 'tierpass-test.myshopify.com';
  const accessToken = opts.accessToken ?? `shpat_${randomUUID().replaceAll('-', '')}`;
  const documents: SentDocument[] = [];
  const subscriptions: ShopifyStandIn['subscriptions'] = [];
  let throttled = 0;
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
    segments,
    segmentId,
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
