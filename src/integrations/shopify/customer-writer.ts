/**
 * The Shopify write-back's one Admin GraphQL call (docs/decisions/0045): a customer's tier tags
 * removed and added and its tier metafields set, in one mutation document (mutations run in
 * order). Throttling (`THROTTLED` with `extensions.cost.throttleStatus`, HTTP 429 `Retry-After`)
 * and failures become a `ShopifyWriteError` saying whether and when to retry.
 */
import { adminApiClient, type ShopifyAdminOptions } from './admin-client.js';
import type { ShopifyCost, ShopifyCostBuckets } from './cost-buckets.js';

/** The write-back mutation's kind in the shop's cost bucket (ShopifyCostBuckets). */
export const CUSTOMER_WRITE_KIND = 'customer-write-back';

export const CUSTOMER_WRITE_BACK_MUTATION = `mutation TierpassCustomerWriteBack(
  $id: ID!, $add: [String!]!, $remove: [String!]!, $withAdd: Boolean!, $withRemove: Boolean!,
  $metafields: [MetafieldsSetInput!]!
) {
  tagsRemove(id: $id, tags: $remove) @include(if: $withRemove) { userErrors { field message } }
  tagsAdd(id: $id, tags: $add) @include(if: $withAdd) { userErrors { field message } }
  metafieldsSet(metafields: $metafields) {
    metafields { key }
    userErrors { field message code }
  }
}`;

/** The namespace of Tierpass's customer metafields. */
export const METAFIELD_NAMESPACE = 'tierpass';

/** One customer metafield as `metafieldsSet` takes it. */
export interface CustomerMetafield {
  key: string;
  type: 'single_line_text_field' | 'number_integer';
  value: string;
}

/** What to write for one customer. */
export interface CustomerWrite {
  /** Shopify customer id (decimal). */
  customerId: string;
  add: readonly string[];
  remove: readonly string[];
  metafields: readonly CustomerMetafield[];
}

/** Why a write failed: `retryAfterMs` when worth retrying (after at least that long), else permanent. */
export class ShopifyWriteError extends Error {
  constructor(
    /** Stable code: shopify_throttled, shopify_unavailable, shopify_credentials_rejected, shopify_customer_not_found, shopify_rejected. */
    readonly code: string,
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'ShopifyWriteError';
  }

  get retryable(): boolean {
    return this.retryAfterMs !== undefined;
  }
}

/** Writes customers to one shop with one access token. */
export interface ShopifyCustomerWriter {
  write(w: CustomerWrite): Promise<void>;
}

interface ThrottleStatus {
  maximumAvailable?: number;
  currentlyAvailable?: number;
  restoreRate?: number;
}

interface Answer {
  data?: Record<string, { userErrors?: { message: string; field?: string[] | null }[] } | null>;
  extensions?: { cost?: ShopifyCost & { requestedQueryCost?: number; throttleStatus?: ThrottleStatus } };
  errors?: {
    networkStatusCode?: number;
    message?: string;
    response?: { headers?: { get(name: string): string | null } };
    graphQLErrors?: { message?: string; extensions?: { code?: string } }[];
  };
}

/** How long until the bucket holds `cost` points again (Shopify's leaky bucket), at least 1 s. */
export function throttleWaitMs(cost: number | undefined, status: ThrottleStatus | undefined): number {
  const rate = status?.restoreRate ?? 50;
  const missing = (cost ?? 50) - (status?.currentlyAvailable ?? 0);
  return Math.max(1000, Math.ceil((Math.max(missing, 0) / Math.max(rate, 1)) * 1000));
}

const NOT_FOUND = /does ?n[o']t exist|not found|invalid id/i;

function failure(answer: Answer): ShopifyWriteError {
  const e = answer.errors ?? {};
  const status = e.networkStatusCode;
  if (status === 401 || status === 403) {
    return new ShopifyWriteError(
      'shopify_credentials_rejected',
      `The shop refused the access token (HTTP ${status})`,
      undefined,
    );
  }
  if (status === 429) {
    const header = Number(e.response?.headers?.get('Retry-After'));
    const wait = Number.isFinite(header) && header > 0 ? header * 1000 : 2000;
    return new ShopifyWriteError('shopify_throttled', 'The shop answered 429 Too Many Requests', wait);
  }
  const codes = (e.graphQLErrors ?? []).map((g) => g.extensions?.code);
  if (codes.includes('THROTTLED')) {
    const cost = answer.extensions?.cost;
    return new ShopifyWriteError(
      'shopify_throttled',
      'The shop throttled the write (query cost)',
      throttleWaitMs(cost?.requestedQueryCost, cost?.throttleStatus),
    );
  }
  if (codes.includes('ACCESS_DENIED')) {
    return new ShopifyWriteError(
      'shopify_scope_missing',
      'The access token lacks write_customers',
      undefined,
    );
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new ShopifyWriteError(
      'shopify_rejected',
      `The shop refused the write (HTTP ${status})`,
      undefined,
    );
  }
  return new ShopifyWriteError(
    'shopify_unavailable',
    `The shop's Admin API failed${status ? ` (HTTP ${status})` : ''}`,
    5000,
  );
}

/**
 * `buckets`, when given, learns each answer's `extensions.cost` (the shop's bucket level and the
 * mutation's cost), so the caller can pace the next write (docs/decisions/0051).
 */
export function shopifyCustomerWriter(
  shop: string,
  accessToken: string,
  opts: ShopifyAdminOptions = {},
  buckets?: ShopifyCostBuckets,
): ShopifyCustomerWriter {
  const client = adminApiClient(shop, accessToken, opts);
  return {
    async write(w) {
      const id = `gid://shopify/Customer/${w.customerId}`;
      let answer: Answer;
      try {
        answer = (await client.request(CUSTOMER_WRITE_BACK_MUTATION, {
          variables: {
            id,
            add: w.add,
            remove: w.remove,
            withAdd: w.add.length > 0,
            withRemove: w.remove.length > 0,
            metafields: w.metafields.map((m) => ({ ownerId: id, namespace: METAFIELD_NAMESPACE, ...m })),
          },
        })) as Answer;
      } catch {
        // No answer: the write's reservation ends, its points stay spent (ShopifyCostBuckets.settle).
        buckets?.settle(shop, CUSTOMER_WRITE_KIND);
        throw new ShopifyWriteError('shopify_unavailable', 'The shop could not be reached', 5000);
      }
      buckets?.report(shop, CUSTOMER_WRITE_KIND, answer.extensions?.cost);
      if (answer.errors) throw failure(answer);
      const messages = Object.values(answer.data ?? {}).flatMap((r) =>
        (r?.userErrors ?? []).map((u) => u.message),
      );
      if (messages.some((m) => NOT_FOUND.test(m))) {
        throw new ShopifyWriteError(
          'shopify_customer_not_found',
          `Customer ${w.customerId} is not in the shop`,
          undefined,
        );
      }
      if (messages.length > 0)
        throw new ShopifyWriteError('shopify_rejected', messages.join('; '), undefined);
    },
  };
}
