/**
 * The Shopify Admin GraphQL API as Tierpass uses it (docs/decisions/0042), through
 * `@shopify/admin-api-client`: the shop check on connect and the webhook subscriptions. Every
 * document is a constant here, so the tests validate each against Shopify's schema.
 */
import { createAdminApiClient } from '@shopify/admin-api-client';
import { AppError } from '../../errors.js';
import { type AdminPacing, paced } from './admin-pacing.js';
import type { ShopifyCost } from './cost-buckets.js';

/** The Admin API version Tierpass speaks. */
export const SHOPIFY_API_VERSION = '2026-10';

export const SHOP_QUERY = `query TierpassShop { shop { name currencyCode } }`;

export const LIST_SUBSCRIPTIONS_QUERY = `query TierpassWebhookSubscriptions($callbackUrl: URL!) {
  webhookSubscriptions(first: 100, callbackUrl: $callbackUrl) {
    edges { node { id topic includeFields } }
  }
}`;

export const CREATE_SUBSCRIPTION_MUTATION = `mutation TierpassWebhookSubscriptionCreate(
  $topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}`;

export const UPDATE_SUBSCRIPTION_MUTATION = `mutation TierpassWebhookSubscriptionUpdate(
  $id: ID!, $webhookSubscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionUpdate(id: $id, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}`;

export const DELETE_SUBSCRIPTION_MUTATION = `mutation TierpassWebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}`;

/** One page of the shop's segments (docs/decisions/0048). */
export const SEGMENTS_QUERY = `query TierpassSegments($first: Int!, $after: String) {
  segments(first: $first, after: $after) {
    edges { node { id name } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** One page of a segment's members: only their ids (a member's id ends in the customer id). */
export const SEGMENT_MEMBERS_QUERY = `query TierpassSegmentMembers($segmentId: ID!, $first: Int!, $after: String) {
  customerSegmentMembers(segmentId: $segmentId, first: $first, after: $after) {
    edges { node { id } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** One page of a connection: its nodes and the cursor of the next page (null at the end). */
export interface ShopifyPage<T> {
  nodes: T[];
  next: string | null;
}

export interface ShopifyAdminOptions {
  /** Where the Admin API of `shop` is reached (tests: a local stand-in); default `https://<shop>`. */
  origin?: (shop: string) => string;
  apiVersion?: string;
  /** A bulk export download that sends nothing this long is dropped and read again (default 60 s). */
  bulkDownloadIdleMs?: number;
}

/** One shop's Admin API with one access token. */
export interface ShopifyAdmin {
  shop(): Promise<{ name: string; currencyCode: string }>;
  listSubscriptions(callbackUrl: string): Promise<{ id: string; topic: string; includeFields: string[] }[]>;
  /** `includeFields`: only these fields of each payload are sent (Shopify's payload filter). */
  createSubscription(
    topic: string,
    callbackUrl: string,
    includeFields: readonly string[],
  ): Promise<{ id: string; topic: string }>;
  /** An existing subscription asked to send these fields from now on. */
  updateSubscription(
    id: string,
    callbackUrl: string,
    includeFields: readonly string[],
  ): Promise<{ id: string; topic: string }>;
  deleteSubscription(id: string): Promise<void>;
  /** One page of the shop's segments. */
  segments(first: number, after: string | null): Promise<ShopifyPage<{ id: string; name: string }>>;
  /** One page of a segment's member ids (`gid://shopify/…/<customer id>`). */
  segmentMembers(segmentId: string, first: number, after: string | null): Promise<ShopifyPage<string>>;
}

interface Connection<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

function page<T, U>(c: Connection<T>, map: (node: T) => U): ShopifyPage<U> {
  return {
    nodes: c.edges.map((e) => map(e.node)),
    next: c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null,
  };
}

interface GraphQlAnswer<T> {
  data?: T;
  extensions?: { cost?: ShopifyCost };
  errors?: {
    networkStatusCode?: number;
    message?: string;
    graphQLErrors?: { message?: string; extensions?: { code?: string } }[];
  };
}

/** Why a call to the shop failed, as a stable API error (also used by admin-history.ts). */
export function failure(errors: NonNullable<GraphQlAnswer<unknown>['errors']>): AppError {
  const status = errors.networkStatusCode;
  if (status === 401 || status === 403) {
    return new AppError(422, 'shopify_credentials_rejected', 'The shop refused the access token');
  }
  if (errors.graphQLErrors?.some((e) => e.extensions?.code === 'THROTTLED')) {
    return new AppError(
      503,
      'shopify_throttled',
      'The shop is throttling Admin API calls; try again shortly',
    );
  }
  if (errors.graphQLErrors?.some((e) => e.extensions?.code === 'ACCESS_DENIED')) {
    return new AppError(
      422,
      'shopify_scope_missing',
      'The access token lacks a scope Tierpass needs (docs/shopify.md)',
    );
  }
  return new AppError(
    502,
    'shopify_unavailable',
    `The shop's Admin API failed${status ? ` (HTTP ${status})` : ''}`,
  );
}

/**
 * The library's Admin GraphQL client for one shop and token: the versioned URL and headers are
 * its own; `opts.origin` only rewrites the origin, for a stand-in. Shared by every Shopify
 * integration (connection, history, write-back).
 */
export function adminApiClient(shop: string, accessToken: string, opts: ShopifyAdminOptions = {}) {
  const origin = opts.origin;
  return createAdminApiClient({
    storeDomain: shop,
    apiVersion: opts.apiVersion ?? SHOPIFY_API_VERSION,
    accessToken,
    customFetchApi: origin
      ? (url, init) => {
          const u = new URL(String(url));
          return fetch(`${origin(shop)}${u.pathname}${u.search}`, init);
        }
      : undefined,
  });
}

/**
 * One shop's Admin GraphQL call with one token, as every Tierpass client makes it: paced by the
 * shop's cost bucket when `pacing` is given (admin-pacing.ts) and ended by its signal; an
 * unreachable shop, an answer without data and GraphQL errors as stable API errors (`failure`).
 */
export function adminCaller(
  shop: string,
  accessToken: string,
  opts: ShopifyAdminOptions = {},
  pacing?: AdminPacing,
): <T>(doc: string, variables?: Record<string, unknown>) => Promise<T> {
  const client = adminApiClient(shop, accessToken, opts);
  return async <T>(doc: string, variables?: Record<string, unknown>): Promise<T> => {
    let answer: GraphQlAnswer<T>;
    try {
      answer = await paced(shop, doc, pacing, async (signal) => {
        return (await client.request(doc, {
          ...(variables ? { variables } : {}),
          signal,
        })) as GraphQlAnswer<T>;
      });
    } catch (err) {
      // Stopped by its caller (the backfill's end): not the shop's failure.
      if (pacing?.signal?.aborted) throw err;
      throw new AppError(502, 'shopify_unavailable', 'The shop could not be reached');
    }
    if (answer.errors) throw failure(answer.errors);
    if (!answer.data) throw new AppError(502, 'shopify_unavailable', 'The shop answered without data');
    return answer.data;
  };
}

/** `pacing`, when given, paces every call by the shop's cost bucket (admin-pacing.ts). */
export function shopifyAdmin(
  shop: string,
  accessToken: string,
  opts: ShopifyAdminOptions = {},
  pacing?: AdminPacing,
): ShopifyAdmin {
  const call = adminCaller(shop, accessToken, opts, pacing);

  function userErrors(errors: { message: string }[] | undefined, what: string): void {
    if (errors && errors.length > 0) {
      throw new AppError(422, 'shopify_rejected', `${what}: ${errors.map((e) => e.message).join('; ')}`);
    }
  }

  return {
    async shop() {
      const data = await call<{ shop: { name: string; currencyCode: string } }>(SHOP_QUERY);
      return data.shop;
    },
    async listSubscriptions(callbackUrl) {
      const data = await call<{
        webhookSubscriptions: {
          edges: { node: { id: string; topic: string; includeFields: string[] | null } }[];
        };
      }>(LIST_SUBSCRIPTIONS_QUERY, { callbackUrl });
      return data.webhookSubscriptions.edges.map((e) => ({
        ...e.node,
        includeFields: e.node.includeFields ?? [],
      }));
    },
    async createSubscription(topic, callbackUrl, includeFields) {
      const data = await call<{
        webhookSubscriptionCreate: {
          webhookSubscription: { id: string; topic: string } | null;
          userErrors: { message: string }[];
        };
      }>(CREATE_SUBSCRIPTION_MUTATION, {
        topic,
        webhookSubscription: { callbackUrl, format: 'JSON', includeFields },
      });
      const r = data.webhookSubscriptionCreate;
      userErrors(r.userErrors, `Subscribing to ${topic}`);
      if (!r.webhookSubscription)
        throw new AppError(502, 'shopify_unavailable', 'No subscription was created');
      return r.webhookSubscription;
    },
    async updateSubscription(id, callbackUrl, includeFields) {
      const data = await call<{
        webhookSubscriptionUpdate: {
          webhookSubscription: { id: string; topic: string } | null;
          userErrors: { message: string }[];
        };
      }>(UPDATE_SUBSCRIPTION_MUTATION, {
        id,
        webhookSubscription: { callbackUrl, format: 'JSON', includeFields },
      });
      const r = data.webhookSubscriptionUpdate;
      userErrors(r.userErrors, 'Updating a subscription');
      if (!r.webhookSubscription)
        throw new AppError(502, 'shopify_unavailable', 'No subscription was updated');
      return r.webhookSubscription;
    },
    async deleteSubscription(id) {
      const data = await call<{ webhookSubscriptionDelete: { userErrors: { message: string }[] } }>(
        DELETE_SUBSCRIPTION_MUTATION,
        { id },
      );
      userErrors(data.webhookSubscriptionDelete.userErrors, 'Removing a subscription');
    },
    async segments(first, after) {
      const data = await call<{ segments: Connection<{ id: string; name: string }> }>(SEGMENTS_QUERY, {
        first,
        after,
      });
      return page(data.segments, (n) => ({ id: n.id, name: n.name }));
    },
    async segmentMembers(segmentId, first, after) {
      const data = await call<{ customerSegmentMembers: Connection<{ id: string }> }>(SEGMENT_MEMBERS_QUERY, {
        segmentId,
        first,
        after,
      });
      return page(data.customerSegmentMembers, (n) => n.id);
    },
  };
}
