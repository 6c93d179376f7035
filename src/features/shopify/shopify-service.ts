/**
 * The Shopify connector, part 1 (issue 14, docs/decisions/0042): connect a program to a store
 * (credentials checked against the shop, sealed at rest, webhook subscriptions registered), and
 * ingest the store's signed webhooks into orders, refunds and customers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { AppError, badRequest, conflict, notFound, unprocessable } from '../../errors.js';
import { SecretOpenError, type SecretSealer } from '../../integrations/secrets/secret-box.js';
import type { ShopifyAdmin } from '../../integrations/shopify/admin-client.js';
import type { ProgramContext } from '../../program-context.js';
import type { ShopifyConnectionRecord, ShopifyWebhookRecord } from '../../store/shopify-port.js';
import {
  type CommerceOutcome,
  commerceEffect,
  KEYED_TOPICS,
  type ShopifyCustomers,
  type ShopifyOrders,
} from './shopify-commerce-effects.js';
import { SHOPIFY_SECRET_CONTEXT, SHOPIFY_TOKEN_CONTEXT } from './shopify-credentials.js';
import { type RecordsBehindOptions, ShopifyDeliveryRecords } from './shopify-delivery-records.js';
import {
  checkShape,
  dataRequestView,
  type ShopifyDelivery,
  type WebhookOutcome,
} from './shopify-payloads.js';
import {
  PRIVACY_TOPICS,
  privacyEffect,
  receivePrivacy,
  type ShopifyPrivacy,
  type WebhookReply,
} from './shopify-privacy-effects.js';
import { type ConnectInput, SHOP_DOMAIN } from './shopify-schemas.js';
import { type KnownShop, ShopifyShopCache } from './shopify-shop-cache.js';
import type { ShopifyStore } from './shopify-store.js';
import { removeSubscriptions, syncSubscriptions } from './shopify-subscriptions.js';

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
  /**
   * Shops remembered between deliveries (decision 0050); app.ts has it forget a program's shop
   * on every change through `watchProgramChanges`. Without it every delivery reads its shop.
   */
  shops?: ShopifyShopCache;
  /** Batching and retries of the records written behind (decision 0050); defaults otherwise. */
  recordsBehind?: Partial<RecordsBehindOptions>;
  /** Where a record batch that could not be written is reported (never a payload or secret). */
  logger?: Pick<Logger, 'warn' | 'error'>;
}

export interface WebhookHeaders {
  hmac?: string;
  shop?: string;
  topic?: string;
  webhookId?: string;
}

const TOKEN_CONTEXT = SHOPIFY_TOKEN_CONTEXT;
const SECRET_CONTEXT = SHOPIFY_SECRET_CONTEXT;

const WEBHOOK_ID = /^[\x21-\x7E]{1,255}$/;
const TOPIC = /^[a-z_]+\/[a-z_]+$/;

/** A signed body as JSON (400 `shopify_payload_invalid` when it is not). */
function parseBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('shopify_payload_invalid', 'The body is not JSON');
  }
}

/** Whether a delivery's record keeps its payload: only for those someone acts on later. */
const keepsPayload = (o: WebhookOutcome) => o.result === 'recorded' || o.result === 'failed';

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

export class ShopifyService {
  private readonly shops: ShopifyShopCache;
  private readonly records: ShopifyDeliveryRecords;

  constructor(private readonly deps: ShopifyServiceDeps) {
    this.shops = deps.shops ?? new ShopifyShopCache({ ttlMs: 0 });
    this.records = new ShopifyDeliveryRecords(
      deps.store,
      undefined,
      undefined,
      deps.recordsBehind,
      deps.logger,
    );
  }

  /** Resolves once every delivery record queued to be written behind is written (or given up). */
  idle(): Promise<void> {
    return this.records.idle();
  }

  /** At shutdown, before the store closes: the records still queued are written. */
  close(): Promise<void> {
    return this.records.close();
  }

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
    const subscriptions = await syncSubscriptions(admin, callbackUrl);
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
      // Kept current, so a failed disconnect retried deletes only what is left.
      await removeSubscriptions(admin, c.subscriptions, (remaining) =>
        scope.shopify.update({ subscriptions: remaining }, ctx.now).then(() => undefined),
      );
    }
    await scope.shopify.remove();
  }

  /**
   * One signed delivery: verified before anything is parsed, mapped to its program by the shop
   * domain, applied, and recorded once by its delivery id with the others of its moment
   * (docs/decisions/0042, 0050); answered once its effect is committed, and its record too
   * unless the ledger's own key made the effect idempotent (then the record is written behind).
   */
  async receive(headers: WebhookHeaders, raw: Buffer): Promise<WebhookReply> {
    const { hmac, shop, topic, webhookId } = headers;
    if (!hmac) throw new AppError(401, 'shopify_signature_invalid', 'X-Shopify-Hmac-Sha256 is missing');
    if (!shop || !SHOP_DOMAIN.test(shop)) {
      throw new AppError(401, 'shopify_signature_invalid', 'X-Shopify-Shop-Domain is missing or not a shop');
    }
    const known = await this.knownShop(shop);
    if (!known) throw new AppError(401, 'shopify_signature_invalid', 'No program is connected to this shop');
    if (known.secret === null || !validShopifySignature(raw, known.secret, hmac)) {
      throw new AppError(401, 'shopify_signature_invalid', 'The signature does not match the body');
    }
    if (!topic || !TOPIC.test(topic)) throw badRequest('shopify_topic_invalid', 'X-Shopify-Topic is missing');
    if (!webhookId || !WEBHOOK_ID.test(webhookId)) {
      throw badRequest('shopify_webhook_id_invalid', 'X-Shopify-Webhook-Id is missing');
    }
    const payload = parseBody(raw);
    const delivery = checkShape(topic, payload);
    const { connection: c, program } = known;
    const ctx = { program, now: this.deps.programNow(program) };
    if (KEYED_TOPICS.includes(topic)) return this.receiveKeyed(ctx, c, webhookId, topic, delivery, raw);
    const row = { webhookId, topic, payload };
    const scope = this.deps.store.scoped(c.programId);
    const earlier = await scope.shopify.webhook(webhookId);
    if (PRIVACY_TOPICS.includes(topic) && this.deps.privacy) {
      // The records queued behind go first: none lands after a redaction or a shop's deletion.
      await this.records.idle();
      return receivePrivacy(scope, { ...row, now: ctx.now }, earlier, (r) => this.applyRecorded(c, r));
    }
    if (earlier?.processedAt) return { received: true, duplicate: true, result: null };
    if (earlier) {
      // Stored unprocessed (processPending's rows): applied now from the stored payload.
      const outcome = await this.applyAs(ctx, c, topic, earlier.payload);
      await scope.shopify.processed(webhookId, outcome.result, outcome.detail, ctx.now);
      return { received: true, duplicate: true, result: outcome.result };
    }
    return this.record(c, ctx.now, row, await this.apply(ctx, c, topic, delivery));
  }

  /**
   * A keyed topic's delivery: applied before it is recorded (Shopify redelivers whatever was not
   * answered 2xx, so a stop between the two loses nothing, and a keyed effect applied again
   * changes nothing: a replay is told by the ledger or its record, not by a read first, 0050).
   * Only the shape-checked fields are held across the ledger's round trip, not the parsed body
   * (≈ 9 KB of objects per delivery in flight, copied by every young-generation collection
   * meanwhile); the one record that keeps a payload, a `failed` one, reads it from the raw body
   * again.
   */
  private async receiveKeyed(
    ctx: ProgramContext,
    c: ShopifyConnectionRecord,
    webhookId: string,
    topic: string,
    delivery: ShopifyDelivery,
    raw: Buffer,
  ): Promise<WebhookReply> {
    const outcome = await this.apply(ctx, c, topic, delivery);
    if (outcome.replayed !== undefined) {
      return this.recordBehind(c, ctx.now, { webhookId, topic, payload: null }, outcome, outcome.replayed);
    }
    const payload = keepsPayload(outcome) ? parseBody(raw) : null;
    return this.record(c, ctx.now, { webhookId, topic, payload }, outcome);
  }

  /** The shop's connection, opened secret and program; remembered for a moment (decision 0050). */
  private async knownShop(domain: string): Promise<KnownShop | null> {
    const cached = this.shops.get(domain);
    if (cached) return cached;
    const since = this.shops.begin();
    const connection = await this.deps.store.shopifyShops.find(domain);
    if (!connection) return null;
    const program = await this.deps.store.scoped(connection.programId).program.get();
    const secret = this.openOrNull(connection.webhookSecretSealed, SECRET_CONTEXT(connection.programId));
    const known = { connection, secret, program };
    this.shops.put(domain, known, since);
    return known;
  }

  /**
   * An applied delivery's record, written with the others of its program in one commit. Its id
   * known already makes it a duplicate; an older unprocessed row of it (a stop between store and
   * effect) is completed by it. The payload is kept only for deliveries someone acts on later.
   */
  private async record(
    c: ShopifyConnectionRecord,
    now: Date,
    row: Pick<ShopifyWebhookRecord, 'webhookId' | 'topic' | 'payload'>,
    outcome: WebhookOutcome,
  ): Promise<WebhookReply> {
    const keep = keepsPayload(outcome);
    const receipt = await this.records.record(c.programId, {
      ...row,
      payload: keep ? row.payload : null,
      receivedAt: now,
      processed: { result: outcome.result, detail: outcome.detail, at: now },
    });
    // Known: recorded by an earlier (or concurrent) request; its effect and this one are the same.
    if (receipt === 'known') return { received: true, duplicate: true, result: null };
    return { received: true, duplicate: receipt === 'completed', result: outcome.result };
  }

  /**
   * A keyed delivery whose effect the ledger committed (or found committed: `replayed`), answered
   * at once, its record queued and written with others shortly (decision 0050). The ledger's ids
   * are what make a replay change nothing, so the reply is told by them: a replay (the same
   * delivery again, or the same order or refund in another delivery) is `duplicate: true,
   * result: null` as a record conflicting told it before. Writing its record again is harmless:
   * a known id keeps its first record; an older unprocessed row of it is completed.
   */
  private recordBehind(
    c: ShopifyConnectionRecord,
    now: Date,
    row: Pick<ShopifyWebhookRecord, 'webhookId' | 'topic' | 'payload'>,
    outcome: WebhookOutcome,
    replayed: boolean,
  ): WebhookReply {
    this.records.later(c.programId, {
      ...row,
      payload: null,
      receivedAt: now,
      processed: { result: outcome.result, detail: outcome.detail, at: now },
    });
    if (replayed) return { received: true, duplicate: true, result: null };
    return { received: true, duplicate: false, result: outcome.result };
  }

  /** Apply one recorded (or unprocessed) delivery and record its result. */
  private async applyRecorded(
    c: ShopifyConnectionRecord,
    row: Pick<ShopifyWebhookRecord, 'webhookId' | 'topic' | 'payload'>,
  ) {
    const scope = this.deps.store.scoped(c.programId);
    const program = await scope.program.get();
    const now = this.deps.programNow(program);
    const outcome = await this.applyAs({ program, now }, c, row.topic, row.payload, row.webhookId);
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
   * A payload applied exactly as the webhook of `topic` would be: a stored delivery, or the
   * shop's history (the backfill, docs/decisions/0046): the same shape check, mapping, ids and
   * money; a payload that does not fit is `failed` with `shopify_payload_invalid`.
   */
  async applyAs(
    ctx: ProgramContext,
    c: ShopifyConnectionRecord,
    topic: string,
    payload: unknown,
    webhookId?: string,
  ): Promise<CommerceOutcome> {
    let delivery: ShopifyDelivery;
    try {
      delivery = checkShape(topic, payload);
    } catch (err) {
      if (err instanceof AppError) return { result: 'failed', detail: err.code };
      throw err;
    }
    return this.apply(ctx, c, topic, delivery, webhookId);
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
    delivery: ShopifyDelivery,
    webhookId?: string,
  ): Promise<CommerceOutcome> {
    try {
      if (PRIVACY_TOPICS.includes(topic) && this.deps.privacy && webhookId !== undefined) {
        const scope = this.deps.store.scoped(ctx.program.id);
        return await privacyEffect(scope, ctx, c, delivery, webhookId, this.deps.privacy);
      }
      return await this.effect(ctx, c, topic, delivery);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return { result: 'failed', detail: err.code };
      throw err;
    }
  }

  private effect(
    ctx: ProgramContext,
    c: ShopifyConnectionRecord,
    topic: string,
    delivery: ShopifyDelivery,
  ): Promise<CommerceOutcome> {
    const { orders, customers, store } = this.deps;
    return commerceEffect(
      { orders, customers, scope: store.scoped(ctx.program.id) },
      ctx,
      c,
      topic,
      delivery,
    );
  }
}
