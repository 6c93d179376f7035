/** What storage keeps of a program's Shopify store (migration 032, docs/decisions/0042). */

/** Which amount of an order earns. */
export type ShopifyEarnOn = 'subtotal' | 'total';

export interface ShopifySubscription {
  topic: string;
  id: string;
}

export interface ShopifyConnectionRecord {
  programId: string;
  shopDomain: string;
  shopName: string;
  shopCurrency: string;
  /** Sealed (SecretSealer); opened only to call the shop. */
  accessTokenSealed: string;
  /** Sealed (SecretSealer); opened only to verify a webhook. */
  webhookSecretSealed: string;
  earnOn: ShopifyEarnOn;
  includeTestOrders: boolean;
  subscriptions: ShopifySubscription[];
  state: 'connected' | 'uninstalled';
  connectedAt: Date;
  updatedAt: Date;
}

export type NewShopifyConnection = Omit<ShopifyConnectionRecord, 'programId' | 'updatedAt'>;

export interface ShopifyWebhookRecord {
  webhookId: string;
  topic: string;
  /** The body as received; null once applied or ignored (its effect is in the ledger). */
  payload: unknown;
  receivedAt: Date;
  processedAt: Date | null;
  result: 'applied' | 'ignored' | 'recorded' | 'failed' | null;
  detail: string | null;
}

/** One program's connection and webhook inbox; each method is its own statement. */
export interface ShopifyRepository {
  get(): Promise<ShopifyConnectionRecord | null>;
  /** Insert or replace the program's connection; false when another program holds the domain. */
  save(c: NewShopifyConnection, now: Date): Promise<boolean>;
  /** Change the state or the subscriptions kept. */
  update(
    patch: Partial<Pick<ShopifyConnectionRecord, 'state' | 'subscriptions' | 'earnOn' | 'includeTestOrders'>>,
    now: Date,
  ): Promise<void>;
  /** Forget the connection (disconnect). */
  remove(): Promise<boolean>;
  /**
   * Store a webhook unless its delivery id is known (false then), unprocessed or, with
   * `processed`, with what processing it did, in one statement.
   */
  receive(w: {
    webhookId: string;
    topic: string;
    payload: unknown;
    receivedAt: Date;
    processed?: { result: NonNullable<ShopifyWebhookRecord['result']>; detail: string | null; at: Date };
  }): Promise<boolean>;
  /** Record what processing a webhook did. */
  processed(
    webhookId: string,
    result: NonNullable<ShopifyWebhookRecord['result']>,
    detail: string | null,
    at: Date,
  ): Promise<void>;
  /** One stored webhook by its delivery id, or null. */
  webhook(webhookId: string): Promise<ShopifyWebhookRecord | null>;
  /** Webhooks stored and not processed yet, oldest first. */
  pending(limit: number): Promise<ShopifyWebhookRecord[]>;
  /** Webhooks of some topics, newest first (privacy requests awaiting their operations). */
  byTopic(topics: readonly string[], limit: number): Promise<ShopifyWebhookRecord[]>;
}

/** Across programs: which program a shop's webhooks belong to. */
export interface ShopifyShopDirectory {
  find(shopDomain: string): Promise<ShopifyConnectionRecord | null>;
}
