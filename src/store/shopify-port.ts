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

/** A delivery to store, unprocessed or, with `processed`, with what processing it did. */
export interface NewShopifyWebhook {
  webhookId: string;
  topic: string;
  payload: unknown;
  receivedAt: Date;
  processed?: { result: NonNullable<ShopifyWebhookRecord['result']>; detail: string | null; at: Date };
}

/** What `receiveMany` did with one delivery. */
export type ShopifyReceipt = 'stored' | 'completed' | 'known';

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
  receive(w: NewShopifyWebhook): Promise<boolean>;
  /**
   * Store several deliveries in one statement (one commit; the ingestion's group, decision
   * 0050). Each is inserted unless its delivery id is known (`stored`). A known one still
   * unprocessed, given with `processed`, is marked processed with it, its stored payload kept
   * (`completed`); any other known one is left as it is (`known`), as is a repeated id within
   * the group after its first. Receipts are in input order.
   */
  receiveMany(ws: readonly NewShopifyWebhook[]): Promise<ShopifyReceipt[]>;
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
  /** Privacy requests recorded and not applied yet (result `recorded`), oldest first. */
  recorded(limit: number): Promise<ShopifyWebhookRecord[]>;
  /**
   * Keep a data request's export with its delivery; a delivery that has one keeps the first
   * (a retry changes nothing). `null` stores no export (the customer is unknown).
   */
  saveExport(webhookId: string, doc: unknown): Promise<void>;
  /** The `customers/data_request` deliveries, newest first, without their exports. */
  dataRequests(limit: number): Promise<ShopifyDataRequestRecord[]>;
  /** A data request's stored export, or null (no such delivery, none stored, or erased). */
  exportOf(webhookId: string): Promise<unknown | null>;
  /**
   * Erase one customer's personal data from the deliveries (docs/decisions/0047): payloads about
   * them keep only ids and amounts (privacy requests: shop, customer id, order ids; customer
   * topics: the id; orders: no customer fields, addresses, email or phone), and exports of their
   * data requests are emptied with `erasedAt` set. Touches only rows that still hold something:
   * a replay writes nothing. Returns the rows changed.
   */
  redactCustomer(customerId: string, now: Date): Promise<number>;
}

/** A `customers/data_request` delivery as the merchant's list shows it (no export body). */
export interface ShopifyDataRequestRecord {
  webhookId: string;
  /** Shopify's `data_request.id`, when the payload had one. */
  dataRequestId: string | null;
  /** The Shopify (= Tierpass) customer id the request is about. */
  customerId: string | null;
  receivedAt: Date;
  processedAt: Date | null;
  result: ShopifyWebhookRecord['result'];
  detail: string | null;
  /** True while an export is stored for download. */
  hasExport: boolean;
  /** When the customer's personal data was erased, which emptied the export (null: not erased). */
  erasedAt: Date | null;
}

/** Across programs: which program a shop's webhooks belong to. */
export interface ShopifyShopDirectory {
  find(shopDomain: string): Promise<ShopifyConnectionRecord | null>;
}
