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
  /** Answer the next `n` calls HTTP 429 with `Retry-After: seconds`. */
  tooManyRequests(n: number, seconds: number): void;
  /** Customers as the shop holds them (write-back target): tags and `namespace.key` metafields. */
  customers: Map<string, StandInCustomer>;
  /** Every customer write applied (a `metafieldsSet`, after the tag changes of its document), in order. */
  customerWrites: { customerId: string; tags: string[]; metafields: Record<string, string> }[];
  close(): Promise<void>;
}

export interface StandInCustomer {
  tags: string[];
  metafields: Map<string, { type: string; value: string }>;
}

export async function startShopifyStandIn(
  opts: { shop?: string; accessToken?: string; name?: string; currency?: string } = {},
): Promise<ShopifyStandIn> {
  const shop = opts.shop ?? 'tierpass-test.myshopify.com';
  const accessToken = opts.accessToken ?? `shpat_${randomUUID().replaceAll('-', '')}`;
  const documents: SentDocument[] = [];
  const subscriptions: ShopifyStandIn['subscriptions'] = [];
  let throttled = 0;
  let limited = { n: 0, seconds: 1 };
  let nextId = 1;
  const customers = new Map<string, StandInCustomer>();
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
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
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
    tooManyRequests(n, seconds) {
      limited = { n, seconds };
    },
    customers,
    customerWrites,
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
