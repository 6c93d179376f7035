/**
 * The Shopify connector, part 1 (issue 14, docs/decisions/0042): connect a program to a store
 * (credentials checked against the shop, sealed at rest, webhook subscriptions registered), and
 * ingest the store's signed webhooks into orders, refunds and customers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { AppError, badRequest, conflict, notFound, unprocessable } from '../../errors.js';
import { SecretOpenError, type SecretSealer } from '../../integrations/secrets/secret-box.js';
import type { ShopifyAdmin } from '../../integrations/shopify/admin-client.js';
import type { ProgramContext } from '../../program-context.js';
import type {
  ShopifyConnectionRecord,
  ShopifySubscription,
  ShopifyWebhookRecord,
} from '../../store/shopify-port.js';
import { checkShape, customerFields, dataRequestView, shopMinor } from './shopify-payloads.js';
import {
  type ConnectInput,
  customerDeletePayload,
  customerPayload,
  dataRequestPayload,
  orderPayload,
  redactPayload,
  refundPayload,
  SHOP_DOMAIN,
} from './shopify-schemas.js';
import type { ShopifyStore } from './shopify-store.js';

/** The webhook topics Tierpass subscribes to (Admin GraphQL enum names). Privacy topics are app-level. */
export const SUBSCRIBED_TOPICS = [
  'ORDERS_PAID',
  'ORDERS_CANCELLED',
  'REFUNDS_CREATE',
  'CUSTOMERS_CREATE',
  'CUSTOMERS_UPDATE',
  'CUSTOMERS_DELETE',
  'APP_UNINSTALLED',
] as const;

/**
 * Privacy topics (issue 14 item 6, docs/decisions/0047): recorded with their payload before
 * anything is done (result `recorded`), then applied by the privacy operations and the result
 * updated; a failure leaves the row `recorded`, and a redelivery or `processPending` retries it.
 */
export const PRIVACY_TOPICS = [
  'customers/delete',
  'customers/data_request',
  'customers/redact',
  'shop/redact',
];

/** What the connector asks of the privacy operations (features/privacy PrivacyService). */
export interface ShopifyPrivacy {
  export(ctx: ProgramContext, customerId: string): Promise<unknown>;
  redact(ctx: ProgramContext, customerId: string): Promise<unknown>;
  deleteProgram(programId: string): Promise<unknown>;
}

/** What the connector asks of the ledger (features/ledger OrderService). */
export interface ShopifyOrders {
  place(
    ctx: ProgramContext,
    input: { id: string; customerId: string; amount: number; currency?: string; placedAt?: Date },
  ): Promise<unknown>;
  refund(ctx: ProgramContext, orderId: string, input: { id: string; amount: number }): Promise<unknown>;
}

/** What the connector asks of customers (features/customers CustomerService). */
export interface ShopifyCustomers {
  upsert(
    ctx: ProgramContext,
    id: string,
    input: { email?: string | null; name?: string | null; tags?: string[] },
  ): Promise<unknown>;
}

export interface ShopifyServiceDeps {
  store: ShopifyStore;
  clock: Clock;
  /** Seals the access token and webhook secret; without it connecting answers 503. */
  secrets?: SecretSealer;
  /** The Admin API of one shop with one token. */
  admin(shop: string, accessToken: string): ShopifyAdmin;
  /** Where Shopify sends webhooks: `<PUBLIC_URL>/shopify/webhooks`. */
  callbackUrl?: string;
  orders: ShopifyOrders;
  customers: ShopifyCustomers;
  /** The privacy operations the privacy topics apply; without them those stay `recorded`. */
  privacy?: ShopifyPrivacy;
  /** The program's now (its test clock, or the clock). */
  programNow(program: ProgramContext['program']): Date;
}

export interface WebhookHeaders {
  hmac?: string;
  shop?: string;
  topic?: string;
  webhookId?: string;
}

const TOKEN_CONTEXT = (programId: string) => `shopify:${programId}:access-token`;
const SECRET_CONTEXT = (programId: string) => `shopify:${programId}:webhook-secret`;

const WEBHOOK_ID = /^[\x21-\x7E]{1,255}$/;
const TOPIC = /^[a-z_]+\/[a-z_]+$/;

/** Constant-time check of `X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the raw body. */
export function validShopifySignature(raw: Buffer, secret: string, header: string): boolean {
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = Buffer.from(header, 'base64');
  // A differently long value cannot match; comparing lengths leaks nothing of the secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function view(c: ShopifyConnectionRecord) {
  return {
    shopDomain: c.shopDomain,
    shopName: c.shopName,
    currency: c.shopCurrency,
    state: c.state,
    earnOn: c.earnOn,
    includeTestOrders: c.includeTestOrders,
    webhookTopics: c.subscriptions.map((s) => s.topic),
    connectedAt: c.connectedAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

type Outcome = { result: NonNullable<ShopifyWebhookRecord['result']>; detail: string | null };

export class ShopifyService {
  constructor(private readonly deps: ShopifyServiceDeps) {}

  private sealer(): SecretSealer {
    if (!this.deps.secrets) {
      throw new AppError(503, 'secrets_not_configured', 'Credentials cannot be stored: no secret keyring');
    }
    return this.deps.secrets;
  }

  /** A stored credential, or null when it no longer opens (its key is gone from the keyring). */
  private openOrNull(sealed: string, context: string): string | null {
    try {
      return this.sealer().open(sealed, context);
    } catch (err) {
      if (err instanceof SecretOpenError) return null;
      throw err;
    }
  }

  /** Check the credentials against the shop, register the webhooks, store everything sealed. */
  async connect(ctx: ProgramContext, input: ConnectInput) {
    const sealer = this.sealer();
    const programId = ctx.program.id;
    const scope = this.deps.store.scoped(programId);
    const holder = await this.deps.store.shopifyShops.find(input.shopDomain);
    if (holder && holder.programId !== programId) {
      throw conflict('shopify_shop_taken', `${input.shopDomain} is connected to another program`);
    }
    const callbackUrl = this.deps.callbackUrl;
    if (!callbackUrl) {
      throw new AppError(
        503,
        'public_url_not_configured',
        'PUBLIC_URL is needed for Shopify to reach Tierpass',
      );
    }
    const admin = this.deps.admin(input.shopDomain, input.accessToken);
    const shop = await admin.shop();
    if (shop.currencyCode !== ctx.program.settings.currency) {
      throw unprocessable(
        'currency_mismatch',
        `The shop's currency is ${shop.currencyCode}; the program's is ${ctx.program.settings.currency}`,
      );
    }
    // Idempotent: subscriptions to this callback that exist are kept, missing ones created.
    const existing = await admin.listSubscriptions(callbackUrl);
    const subscriptions: ShopifySubscription[] = [];
    for (const topic of SUBSCRIBED_TOPICS) {
      const found = existing.find((s) => s.topic === topic);
      subscriptions.push(found ?? (await admin.createSubscription(topic, callbackUrl)));
    }
    const saved = await scope.shopify.save(
      {
        shopDomain: input.shopDomain,
        shopName: shop.name,
        shopCurrency: shop.currencyCode,
        accessTokenSealed: sealer.seal(input.accessToken, TOKEN_CONTEXT(programId)),
        webhookSecretSealed: sealer.seal(input.webhookSecret, SECRET_CONTEXT(programId)),
        earnOn: input.earnOn,
        includeTestOrders: input.includeTestOrders,
        subscriptions,
        state: 'connected',
        connectedAt: ctx.now,
      },
      ctx.now,
    );
    if (!saved) throw conflict('shopify_shop_taken', `${input.shopDomain} is connected to another program`);
    return this.status(ctx);
  }

  async status(ctx: ProgramContext) {
    const c = await this.deps.store.scoped(ctx.program.id).shopify.get();
    if (!c) throw notFound('shopify_not_connected', 'No Shopify store is connected');
    return view(c);
  }

  /** Remove the webhook subscriptions (unless the app is uninstalled) and forget the store. */
  async disconnect(ctx: ProgramContext): Promise<void> {
    const scope = this.deps.store.scoped(ctx.program.id);
    const c = await scope.shopify.get();
    if (!c) throw notFound('shopify_not_connected', 'No Shopify store is connected');
    const token = this.openOrNull(c.accessTokenSealed, TOKEN_CONTEXT(ctx.program.id));
    // Uninstalled: the shop removed the subscriptions. Unreadable (the secrets key was lost): the
    // merchant removes them with the app; the connection is forgotten either way.
    if (c.state === 'connected' && token !== null) {
      const admin = this.deps.admin(c.shopDomain, token);
      const remaining = [...c.subscriptions];
      while (remaining.length > 0) {
        const s = remaining[0] as ShopifySubscription;
        try {
          await admin.deleteSubscription(s.id);
        } catch (err) {
          // The token was revoked (the app deleted): nothing more can be removed, nor needs to be.
          if (err instanceof AppError && err.code === 'shopify_credentials_rejected') break;
          // Already gone at the shop (Shopify answers a user error): nothing to remove.
          if (!(err instanceof AppError && err.code === 'shopify_rejected')) throw err;
        }
        remaining.shift();
        // Kept current, so a failed disconnect retried deletes only what is left.
        await scope.shopify.update({ subscriptions: remaining }, ctx.now);
      }
    }
    await scope.shopify.remove();
  }

  /**
   * One signed delivery: verified before anything is parsed, mapped to its program by the shop
   * domain, stored once by its delivery id, then applied (docs/decisions/0042).
   */
  async receive(headers: WebhookHeaders, raw: Buffer) {
    const { hmac, shop, topic, webhookId } = headers;
    if (!hmac) throw new AppError(401, 'shopify_signature_invalid', 'X-Shopify-Hmac-Sha256 is missing');
    if (!shop || !SHOP_DOMAIN.test(shop)) {
      throw new AppError(401, 'shopify_signature_invalid', 'X-Shopify-Shop-Domain is missing or not a shop');
    }
    const c = await this.deps.store.shopifyShops.find(shop);
    if (!c) throw new AppError(401, 'shopify_signature_invalid', 'No program is connected to this shop');
    const secret = this.openOrNull(c.webhookSecretSealed, SECRET_CONTEXT(c.programId));
    if (secret === null || !validShopifySignature(raw, secret, hmac)) {
      throw new AppError(401, 'shopify_signature_invalid', 'The signature does not match the body');
    }
    if (!topic || !TOPIC.test(topic)) throw badRequest('shopify_topic_invalid', 'X-Shopify-Topic is missing');
    if (!webhookId || !WEBHOOK_ID.test(webhookId)) {
      throw badRequest('shopify_webhook_id_invalid', 'X-Shopify-Webhook-Id is missing');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      throw badRequest('shopify_payload_invalid', 'The body is not JSON');
    }
    checkShape(topic, payload);
    const scope = this.deps.store.scoped(c.programId);
    const program = await scope.program.get();
    const now = this.deps.programNow(program);
    const earlier = await scope.shopify.webhook(webhookId);
    if (PRIVACY_TOPICS.includes(topic) && this.deps.privacy) {
      return this.receivePrivacy(c, webhookId, topic, payload, earlier, now);
    }
    if (earlier?.processedAt) return { received: true, duplicate: true, result: null };
    // Applied before it is recorded: Shopify redelivers whatever was not answered 2xx, so a stop
    // between the two loses nothing, and every effect is idempotent by its own key (order id,
    // refund id), so applying a redelivery again changes nothing. One commit per delivery
    // besides the effect's own (decision 0042).
    const outcome = await this.apply({ program, now }, c, topic, earlier?.payload ?? payload);
    if (earlier) {
      // Stored unprocessed (processPending's rows): applied now from the stored payload.
      await scope.shopify.processed(webhookId, outcome.result, outcome.detail, now);
      return { received: true, duplicate: true, result: outcome.result };
    }
    const keep = outcome.result === 'recorded' || outcome.result === 'failed';
    const fresh = await scope.shopify.receive({
      webhookId,
      topic,
      payload: keep ? payload : null,
      receivedAt: now,
      processed: { ...outcome, at: now },
    });
    // Another request recorded the same delivery meanwhile; its effect and this one are the same.
    if (!fresh) return { received: true, duplicate: true, result: null };
    return { received: true, duplicate: false, result: outcome.result };
  }

  /**
   * A privacy request: recorded with its payload first (durable before anything is done), then
   * applied, then its result recorded. A delivery already applied is a duplicate; one still
   * `recorded` (an earlier attempt failed) is applied again: every operation is idempotent.
   */
  private async receivePrivacy(
    c: ShopifyConnectionRecord,
    webhookId: string,
    topic: string,
    payload: unknown,
    earlier: ShopifyWebhookRecord | null,
    now: Date,
  ) {
    const scope = this.deps.store.scoped(c.programId);
    if (earlier && earlier.result !== 'recorded' && earlier.processedAt) {
      return { received: true, duplicate: true, result: null };
    }
    if (!earlier) {
      const fresh = await scope.shopify.receive({
        webhookId,
        topic,
        payload,
        receivedAt: now,
        processed: { result: 'recorded', detail: null, at: now },
      });
      // Another request recorded it meanwhile and applies it.
      if (!fresh) return { received: true, duplicate: true, result: null };
    }
    const outcome = await this.applyRecorded(c, { webhookId, topic, payload: earlier?.payload ?? payload });
    return { received: true, duplicate: earlier !== null, result: outcome.result };
  }

  /** Apply one recorded (or unprocessed) delivery and record its result. */
  private async applyRecorded(
    c: ShopifyConnectionRecord,
    row: Pick<ShopifyWebhookRecord, 'webhookId' | 'topic' | 'payload'>,
  ) {
    const scope = this.deps.store.scoped(c.programId);
    const program = await scope.program.get();
    const now = this.deps.programNow(program);
    const outcome = await this.apply({ program, now }, c, row.topic, row.payload, row.webhookId);
    // shop/redact deleted the program, its deliveries with it: nothing is left to record on.
    if (!(row.topic === 'shop/redact' && outcome.result === 'applied')) {
      await scope.shopify.processed(row.webhookId, outcome.result, outcome.detail, now);
    }
    return outcome;
  }

  /**
   * Apply the stored webhooks not processed yet (after a crash between store and effect) and the
   * privacy requests still `recorded` (recorded before they were wired, or whose operation
   * failed), oldest first. Idempotent; returns how many rows were applied.
   */
  async processPending(programId: string, limit = 100): Promise<number> {
    const scope = this.deps.store.scoped(programId);
    const c = await scope.shopify.get();
    if (!c) return 0;
    const rows = [...(await scope.shopify.pending(limit))];
    if (this.deps.privacy) rows.push(...(await scope.shopify.recorded(limit)));
    for (const row of rows) {
      const outcome = await this.applyRecorded(c, row);
      if (row.topic === 'shop/redact' && outcome.result === 'applied') return rows.length;
    }
    return rows.length;
  }

  /**
   * The shop's history, applied exactly as the webhook of `topic` would be (the backfill,
   * docs/decisions/0046): the same shape check, mapping, ids and money; a payload that does not
   * fit is `failed` with `shopify_payload_invalid`.
   */
  async applyAs(ctx: ProgramContext, c: ShopifyConnectionRecord, topic: string, payload: unknown) {
    try {
      checkShape(topic, payload);
    } catch (err) {
      if (err instanceof AppError) return { result: 'failed', detail: err.code } as Outcome;
      throw err;
    }
    return this.apply(ctx, c, topic, payload);
  }

  /** The connection's Admin API access token, or null when it no longer opens. */
  accessToken(c: ShopifyConnectionRecord): string | null {
    return this.openOrNull(c.accessTokenSealed, TOKEN_CONTEXT(c.programId));
  }

  /** The `customers/data_request` deliveries, newest first, with what became of each. */
  async dataRequests(ctx: ProgramContext, limit = 100) {
    const rows = await this.deps.store.scoped(ctx.program.id).shopify.dataRequests(limit);
    return {
      items: rows.map(dataRequestView),
    };
  }

  /** A data request's export, for download; 404 when there is none (unknown customer, erased). */
  async dataRequestExport(ctx: ProgramContext, id: string) {
    const doc = await this.deps.store.scoped(ctx.program.id).shopify.exportOf(id);
    if (doc === null)
      throw notFound('shopify_export_not_found', `No export is stored for data request ${id}`);
    return doc;
  }

  /** A webhook's effect; refusals of the ledger (an AppError) are recorded, not retried. */
  private async apply(
    ctx: ProgramContext,
    c: ShopifyConnectionRecord,
    topic: string,
    payload: unknown,
    webhookId?: string,
  ) {
    try {
      if (PRIVACY_TOPICS.includes(topic) && this.deps.privacy && webhookId !== undefined) {
        return await this.privacyEffect(ctx, c, topic, payload, webhookId, this.deps.privacy);
      }
      return await this.effect(ctx, c, topic, payload);
    } catch (err) {
      if (err instanceof AppError && err.status < 500)
        return { result: 'failed', detail: err.code } as Outcome;
      throw err;
    }
  }

  private async effect(
    ctx: ProgramContext,
    c: ShopifyConnectionRecord,
    topic: string,
    payload: unknown,
  ): Promise<Outcome> {
    const scope = this.deps.store.scoped(ctx.program.id);
    switch (topic) {
      case 'orders/paid': {
        const order = orderPayload.parse(payload);
        if (order.test && !c.includeTestOrders) return { result: 'ignored', detail: 'test_order' };
        if (!order.customer) return { result: 'ignored', detail: 'no_customer' };
        const money = (c.earnOn === 'total' ? order.total_price_set : order.subtotal_price_set).shop_money;
        const amount = shopMinor(money, ctx);
        if (amount === 0) return { result: 'ignored', detail: 'zero_amount' };
        const customerId = order.customer.id;
        const at = order.processed_at ?? order.created_at;
        const placed = at ? new Date(at) : undefined;
        const input = {
          id: order.id,
          customerId,
          amount,
          placedAt: placed && !Number.isNaN(placed.getTime()) && placed < ctx.now ? placed : undefined,
        };
        try {
          await this.deps.orders.place(ctx, input);
        } catch (err) {
          if (!(err instanceof AppError && err.code === 'customer_not_found')) throw err;
          // A customer Tierpass does not know yet: created from the order, then the order earns.
          await this.deps.customers.upsert(ctx, customerId, customerFields(order.customer));
          await this.deps.orders.place(ctx, input);
        }
        return { result: 'applied', detail: null };
      }
      case 'refunds/create': {
        const refund = refundPayload.parse(payload);
        const known = await scope.orders.get(refund.order_id);
        if (!known) return { result: 'ignored', detail: 'order_unknown' };
        // The refunded merchandise: line subtotals, not shipping or tax.
        let amount = 0;
        for (const line of refund.refund_line_items) amount += shopMinor(line.subtotal_set.shop_money, ctx);
        amount = Math.min(amount, known.amount - known.refundedAmount);
        if (amount <= 0) return { result: 'ignored', detail: 'nothing_to_reverse' };
        await this.deps.orders.refund(ctx, known.id, { id: refund.id, amount });
        return { result: 'applied', detail: null };
      }
      case 'orders/cancelled': {
        const order = orderPayload.parse(payload);
        const known = await scope.orders.get(order.id);
        if (!known) return { result: 'ignored', detail: 'order_unknown' };
        const left = known.amount - known.refundedAmount;
        if (left <= 0) return { result: 'ignored', detail: 'nothing_to_reverse' };
        await this.deps.orders.refund(ctx, known.id, { id: `cancel:${known.id}`, amount: left });
        return { result: 'applied', detail: null };
      }
      case 'customers/create':
      case 'customers/update': {
        const customer = customerPayload.parse(payload);
        await this.deps.customers.upsert(ctx, customer.id, customerFields(customer));
        return { result: 'applied', detail: null };
      }
      case 'app/uninstalled':
        await scope.shopify.update({ state: 'uninstalled' }, ctx.now);
        return { result: 'applied', detail: null };
      default:
        if (PRIVACY_TOPICS.includes(topic)) return { result: 'recorded', detail: null };
        return { result: 'ignored', detail: 'topic_not_used' };
    }
  }

  /**
   * The privacy topics (docs/decisions/0047): a data request stores the customer's export for
   * the merchant; a redaction (and `customers/delete`) erases the customer's personal data,
   * here and in the deliveries; `shop/redact` deletes the program once the app is uninstalled.
   */
  private async privacyEffect(
    ctx: ProgramContext,
    c: ShopifyConnectionRecord,
    topic: string,
    payload: unknown,
    webhookId: string,
    privacy: ShopifyPrivacy,
  ): Promise<Outcome> {
    const scope = this.deps.store.scoped(ctx.program.id);
    const known = (err: unknown) => err instanceof AppError && err.code === 'customer_not_found';
    switch (topic) {
      case 'customers/data_request': {
        const request = dataRequestPayload.parse(payload);
        let doc: unknown = null;
        try {
          doc = await privacy.export(ctx, request.customer.id);
        } catch (err) {
          if (!known(err)) throw err;
        }
        await scope.shopify.saveExport(webhookId, doc);
        return doc === null
          ? { result: 'applied', detail: 'customer_unknown' }
          : { result: 'applied', detail: null };
      }
      case 'customers/redact':
      case 'customers/delete': {
        const id =
          topic === 'customers/redact'
            ? redactPayload.parse(payload).customer.id
            : customerDeletePayload.parse(payload).id;
        let detail: string | null = null;
        try {
          await privacy.redact(ctx, id);
        } catch (err) {
          if (!known(err)) throw err;
          detail = 'customer_unknown';
        }
        // The deliveries about the customer (this one included) lose their personal data too,
        // also when Tierpass never knew the customer.
        await scope.shopify.redactCustomer(id, ctx.now);
        return { result: 'applied', detail };
      }
      case 'shop/redact': {
        // Shopify sends it 48 hours after an uninstall. A shop still (or again) connected keeps
        // its data: the merchant reinstalled, or it is a forged replay of an old request.
        const current = await scope.shopify.get();
        if (!current || current.shopDomain !== c.shopDomain)
          return { result: 'ignored', detail: 'shop_not_connected' };
        if (current.state !== 'uninstalled') return { result: 'ignored', detail: 'shop_still_installed' };
        await privacy.deleteProgram(ctx.program.id);
        return { result: 'applied', detail: null };
      }
      default:
        return { result: 'ignored', detail: 'topic_not_used' };
    }
  }
}
