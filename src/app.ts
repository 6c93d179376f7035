/** The composition root: config → stores → services → routes. Nothing else constructs these. */

import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import { registerAnalyticsRoutes } from './features/analytics/analytics-routes.js';
import { AnalyticsService } from './features/analytics/analytics-service.js';
import { registerArtworkRoutes } from './features/artwork/artwork-routes.js';
import { ArtworkService } from './features/artwork/artwork-service.js';
import { DEFAULT_ARTWORK_LIMITS } from './features/artwork/artwork-validation.js';
import { CredentialReseal, type CredentialResealReport } from './features/credentials/credential-reseal.js';
import { registerCustomerRoutes } from './features/customers/customer-routes.js';
import { CustomerService } from './features/customers/customer-service.js';
import {
  type GoogleDispatchReport,
  GoogleObjectHandler,
} from './features/google-wallet/google-object-handler.js';
import { registerGoogleWalletRoutes } from './features/google-wallet/google-wallet-routes.js';
import {
  type GoogleWalletDeps,
  GoogleWalletService,
} from './features/google-wallet/google-wallet-service.js';
import { KlaviyoHandler, type KlaviyoHandlerDeps } from './features/klaviyo/klaviyo-handler.js';
import { registerKlaviyoRoutes } from './features/klaviyo/klaviyo-routes.js';
import { KlaviyoService } from './features/klaviyo/klaviyo-service.js';
import { KlaviyoSyncService } from './features/klaviyo/klaviyo-sync.js';
import { registerLedgerRoutes } from './features/ledger/ledger-routes.js';
import { OrderQueries } from './features/ledger/order-queries.js';
import { registerOrderReadRoutes } from './features/ledger/order-read-routes.js';
import { OrderService } from './features/ledger/order-service.js';
import { PointsService } from './features/ledger/points-service.js';
import { type OutboxQueue, OutboxWorker } from './features/outbox/outbox-worker.js';
import { ApplePushHandler, type DispatchReport } from './features/passes/apple-push-handler.js';
import { PassBranding } from './features/passes/pass-branding.js';
import { registerBrandingRoutes } from './features/passes/pass-branding-routes.js';
import { shopperErrorPage } from './features/passes/pass-page.js';
import { PassPreviewService } from './features/passes/pass-preview.js';
import { registerPassRoutes } from './features/passes/pass-routes.js';
import { PassService, type PassServiceDeps } from './features/passes/pass-service.js';
import { EMPTY_TEMPLATES, type PassTemplates } from './features/passes/pass-templates.js';
import { registerPassWebRoutes } from './features/passes/pass-web-routes.js';
import { PassWebService } from './features/passes/pass-web-service.js';
import { registerPrivacyRoutes } from './features/privacy/privacy-routes.js';
import { PrivacyService } from './features/privacy/privacy-service.js';
import { registerCyclePreviewRoutes } from './features/programs/cycle-preview-routes.js';
import { programNow } from './features/programs/program-context.js';
import { registerProgramRoutes } from './features/programs/program-routes.js';
import { ProgramService } from './features/programs/program-service.js';
import { registerRecalculationRoutes } from './features/recalculation/recalculation-routes.js';
import {
  type RecalculationDeps,
  RecalculationService,
} from './features/recalculation/recalculation-service.js';
import { SchedulingService } from './features/scheduling/scheduling-service.js';
import { registerTestClockRoutes } from './features/scheduling/test-clock-routes.js';
import { registerSessionRoutes } from './features/sessions/session-routes.js';
import { SessionService } from './features/sessions/session-service.js';
import { registerShopifyBackfillRoutes } from './features/shopify/shopify-backfill-routes.js';
import {
  type ShopifyBackfillDeps,
  ShopifyBackfillService,
} from './features/shopify/shopify-backfill-service.js';
import type { RecordsBehindOptions } from './features/shopify/shopify-delivery-records.js';
import { type ShopifyAppCredentials, ShopifyOAuth } from './features/shopify/shopify-oauth.js';
import { registerShopifyOAuthRoutes } from './features/shopify/shopify-oauth-routes.js';
import { ShopifyPendingSweep } from './features/shopify/shopify-pending.js';
import { registerShopifyRoutes, SHOPIFY_WEBHOOK_PATH } from './features/shopify/shopify-routes.js';
import { registerShopifySegmentRoutes } from './features/shopify/shopify-segment-routes.js';
import { ShopifySegments, type ShopifySegmentsDeps } from './features/shopify/shopify-segments.js';
import { ShopifyService } from './features/shopify/shopify-service.js';
import { SHOPIFY_SHOP_CACHE_TTL_MS, ShopifyShopCache } from './features/shopify/shopify-shop-cache.js';
import { ShopifyWriteBackHandler } from './features/shopify/shopify-write-back-handler.js';
import { registerShopifyWriteBackRoutes } from './features/shopify/shopify-write-back-routes.js';
import { ShopifyWriteBackService } from './features/shopify/shopify-write-back-service.js';
import { ReplayService } from './features/simulations/replay-service.js';
import { registerSimulationRoutes } from './features/simulations/simulation-routes.js';
import { SimulationService } from './features/simulations/simulation-service.js';
import { registerTierRoutes } from './features/tiers/tier-routes.js';
import { type ResyncKicker, TierService } from './features/tiers/tier-service.js';
import { registerWalletHealthRoutes } from './features/wallet-health/wallet-health-routes.js';
import { WalletHealthService } from './features/wallet-health/wallet-health-service.js';
import { WebhookDeliveryHandler } from './features/webhooks/webhook-delivery-handler.js';
import { registerWebhookRoutes } from './features/webhooks/webhook-routes.js';
import {
  type WebhookResealReport,
  type WebhookSecretSealer,
  WebhookSecrets,
} from './features/webhooks/webhook-secrets.js';
import { WebhookService } from './features/webhooks/webhook-service.js';
import { createHttpApp } from './http/app.js';
import { createAuthenticator, hashApiKey, PROGRAM_CACHE_TTL_MS } from './http/auth.js';
import { createHttpMetrics } from './http/metrics.js';
import { DEFAULT_RATE_LIMITS, type RateLimitOptions, RateLimits } from './http/rate-limits.js';
import { RequestPriority, type RequestPriorityOptions } from './http/request-priority.js';
import type { CertificateSummary } from './integrations/apple/certificates.js';
import type { PushSender } from './integrations/apple/push-sender.js';
import { DEFAULT_IMAGE_WORK_LIMITS, type ImageWorkLimits } from './integrations/images/image-work-pool.js';
import { IsolatedPassFaceRenderer } from './integrations/images/isolated-pass-face-renderer.js';
import type { PassFaceRenderer } from './integrations/images/pass-face-renderer.js';
import { type KlaviyoClientOptions, klaviyoApi } from './integrations/klaviyo/klaviyo-client.js';
import { SecretBox } from './integrations/secrets/secret-box.js';
import { shopifyBulk } from './integrations/shopify/admin-bulk.js';
import { type ShopifyAdminOptions, shopifyAdmin } from './integrations/shopify/admin-client.js';
import { shopifyHistory } from './integrations/shopify/admin-history.js';
import { ShopifyCostBuckets } from './integrations/shopify/cost-buckets.js';
import { shopifyCustomerWriter } from './integrations/shopify/customer-writer.js';
import type { AddressPolicy } from './integrations/webhooks/address-policy.js';
import { HttpWebhookSender, type WebhookSender } from './integrations/webhooks/http-webhook-sender.js';
import type { Scheduler } from './jobs/scheduler.js';
import type { ProgramRecord, Store } from './store/port.js';
import { watchProgramChanges } from './store/program-change-watch.js';
import { cacheProgramLookups } from './store/program-lookup-cache.js';
import { DatabaseUnavailableError } from './store/store-errors.js';

export const VERSION = '0.1.0';

/** Where `npm run build:console` puts the console: console/dist under the project root (from src/ or dist/ alike). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../console/dist/', import.meta.url));

/** Absolute lifetime of a console session unless configured (SESSION_TTL_HOURS). */
export const DEFAULT_SESSION_TTL_HOURS = 12;

export interface AppDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  adminToken: string;
  trustProxy?: boolean;
  /**
   * PUBLIC_URL: with https, session cookies are always `Secure`; its origin is allowed on
   * cookie-authenticated writes besides the host a request reached.
   */
  publicUrl?: string;
  /** Absolute lifetime of console sessions, hours (SESSION_TTL_HOURS; default 12). */
  sessionTtlHours?: number;
  /** The built console served at /console (CONSOLE_DIR; default DEFAULT_CONSOLE_DIR). */
  consoleDir?: string;
  /**
   * Failed-credential and expensive-operation limits (RATE_LIMIT_*); unset fields keep the
   * defaults. A test sending many bad credentials raises them here.
   */
  rateLimits?: Partial<RateLimitOptions>;
  /** Image work of tier artwork (default: sharp in bounded child processes, `images`). */
  imageRenderer?: PassFaceRenderer;
  /** Bounds of the default renderer's child processes (IMAGE_*; defaults otherwise). */
  images?: Omit<ImageWorkLimits, 'maxPixels'>;
  /** Apple Wallet passes (signer, templates, link signer, public URL); without it the pass routes are absent. */
  passes?: Pick<PassServiceDeps, 'signer' | 'links' | 'publicUrl' | 'cacheEntries' | 'thread'> & {
    /** Pass fetches deferred behind other requests (PASS_FETCH_*; defaults: 1 at once, 250 ms). */
    fetches?: RequestPriorityOptions;
    /** pass-templates/ as read at start: the base of every pass's branding. */
    templates: PassTemplates;
    /** The signer and WWDR certificates as read at start: their expiry shows in the wallet health panel. */
    certificates?: readonly CertificateSummary[];
  };
  /** APNs for pass update pushes (with `passes`); without it outbox rows wait undelivered. */
  pushSender?: PushSender;
  /**
   * Seals third-party credentials at rest (SECRETS_KEYS, else the key generated into
   * DATA_DIR/secrets-key: main.ts). Default: a SecretBox with a key made once per process, so
   * apps built in one process (tests) open each other's values, and nothing sealed survives it.
   */
  secrets?: WebhookSecretSealer;
  /** Webhook delivery (default: public addresses only, node:http sender, dispatched by jobs and `runDue`). */
  webhooks?: {
    /** Addresses subscriptions may reach beyond public ones (WEBHOOK_ALLOW_*). */
    policy?: AddressPolicy;
    /** Request timeout of the default sender (WEBHOOK_TIMEOUT_MS). */
    timeoutMs?: number;
    /** Another sender than node:http. */
    sender?: WebhookSender;
    /** Deliver right after the commit that queued deliveries (main.ts); tests dispatch explicitly. */
    dispatchOnCommit?: boolean;
  };
  /**
   * Dispatch pass pushes right after a transaction that queued them commits (main.ts), instead
   * of only from the 10 s job and `runDue`. Off by default: tests dispatch explicitly.
   */
  pushOnCommit?: boolean;
  /** Recalculation run tuning (batch size, lease, loops) and test hooks; defaults otherwise. */
  recalculation?: Omit<RecalculationDeps, 'store' | 'logger'>;
  /**
   * Google Wallet passes (Wallet API client, service account, issuer, origins, public URL,
   * templates); without it GET /v1/customers/{id}/passes/google answers 503.
   */
  google?: Pick<GoogleWalletDeps, 'api' | 'account' | 'issuerId' | 'origins' | 'publicUrl' | 'templates'> & {
    /** First retry delay of failed object updates (default 1 s). */
    retryBaseMs?: number;
  };
  /** The Shopify Admin API (tests: a stand-in origin); Shopify's own by default. */
  shopify?: ShopifyAdminOptions & {
    /** First retry delay of failed write-backs (default 1 s). */
    writeBackRetryBaseMs?: number;
    /** How long a shop's connection, secret and program are reused (SHOPIFY_SHOP_CACHE_TTL_MS; 0: off). */
    shopCacheTtlMs?: number;
    /** Pace write-backs by each shop's cost bucket (default on; off: react to THROTTLED only). */
    writeBackPacing?: boolean;
    /**
     * Pace the backfill's, the segment sync's and the connection's Admin calls by the same buckets
     * (default on; off: they react to THROTTLED only, as before 0051's amendment).
     */
    adminPacing?: boolean;
    /** Batching and retries of delivery records written behind (decision 0050; tests: a long delay). */
    recordsBehind?: Partial<RecordsBehindOptions>;
  };
  /** Klaviyo (tests: a stand-in origin, shorter retries); Klaviyo's own origin by default. */
  klaviyo?: KlaviyoClientOptions &
    Pick<KlaviyoHandlerDeps, 'retryBaseMs' | 'attentionDelayMs'> & {
      /** Send right after the commit that queued rows (default: as `pushOnCommit`). */
      dispatchOnCommit?: boolean;
      /** Profiles per Bulk Import Profiles job of a sync (default 10,000; tests use a few). */
      syncJobProfiles?: number;
      /** Bytes per job of a sync (default 5 MB less a margin; tests use less). */
      syncJobBytes?: number;
    };
  /** Shopify backfill tuning (lease, retry waits) and its test hook (docs/decisions/0046). */
  shopifyBackfill?: Pick<
    ShopifyBackfillDeps,
    | 'leaseMs'
    | 'retryBaseMs'
    | 'maxAttempts'
    | 'afterPage'
    | 'concurrency'
    | 'ordersMode'
    | 'bulkFromCustomers'
    | 'bulkPollMs'
  >;
  /** The operator's Shopify app for OAuth installs (SHOPIFY_API_KEY/SECRET/SCOPES); off without it. */
  shopifyApp?: ShopifyAppCredentials;
  /** Shopify segment sync tuning: schedule interval, throttle wait, page size (decision 0048). */
  shopifySegments?: Pick<ShopifySegmentsDeps, 'everyMs' | 'throttleWaitMs' | 'pageSize'>;
}

let processBox: SecretBox | undefined;

/** The default keyring of apps built without `secrets`: one random key for this process. */
function processSecretBox(): SecretBox {
  processBox ??= new SecretBox([{ id: 'process', key: randomBytes(32) }]);
  return processBox;
}

/** Build the whole service around an open store. */
export function buildApp(deps: AppDeps) {
  const { store, clock, logger } = deps;
  // The store of authenticated requests: it reuses an API key's live program for a moment, and a
  // program change written through it drops that copy at commit. The authenticator and the
  // services that serve those requests share this one instance (0036), so a settings change
  // is seen by the next request.
  // Shopify deliveries reuse their shop's connection and program the same way (decision 0050):
  // every program or connection change written through this store forgets that shop at once.
  const shops = new ShopifyShopCache({
    ttlMs: deps.shopify?.shopCacheTtlMs ?? SHOPIFY_SHOP_CACHE_TTL_MS,
  });
  const requestStore = watchProgramChanges(
    cacheProgramLookups(store, { ttlMs: PROGRAM_CACHE_TTL_MS }),
    (id) => shops.forget(id),
  );
  const recalculation = new RecalculationService({ ...deps.recalculation, store, logger });
  // One worker drives every kind of outbox work; each kind is a handler registered below.
  const outbox = new OutboxWorker({ logger });
  // Late-bound: the Apple handler needs the pass service, built further down.
  let passPushes: OutboxQueue<DispatchReport> | undefined;
  let googleUpdates: OutboxQueue<GoogleDispatchReport> | undefined;
  const webhookPolicy = deps.webhooks?.policy ?? { allowLoopback: false, allowPrivate: false };
  const webhookSender =
    deps.webhooks?.sender ??
    new HttpWebhookSender({ policy: webhookPolicy, timeoutMs: deps.webhooks?.timeoutMs });
  const sealer = deps.secrets ?? processSecretBox();
  const webhookSecrets = new WebhookSecrets(sealer);
  // The last re-sealing at start (main.ts, worker 0), for /metrics.
  let resealReport: WebhookResealReport | undefined;
  const credentialReseal = new CredentialReseal(sealer);
  let credentialReport: CredentialResealReport | undefined;
  const webhookDispatcher = outbox.register(
    new WebhookDeliveryHandler({ store, sender: webhookSender, secrets: webhookSecrets, clock, logger }),
    { wakeOnCommit: deps.webhooks?.dispatchOnCommit },
  );
  // A test clock's advance delivers that program's deliveries due up to its new time.
  const dispatchWebhooks = (program: ProgramRecord) =>
    webhookDispatcher.dispatch(program.mode === 'test' ? program.id : undefined);
  const scheduling = new SchedulingService({
    store,
    runner: recalculation,
    clock,
    logger,
    afterDue: async (program) =>
      Promise.all([
        passPushes?.dispatch(),
        googleUpdates?.dispatch(),
        dispatchWebhooks(program),
        shopifyWriteBacks?.dispatch(),
      ]),
  });
  // The Agenda scheduler starts after the app is built (main.ts attaches it). Until then,
  // and always for test programs, an immediate resync runs inline.
  let scheduler: Scheduler | undefined;
  const kicker: ResyncKicker = {
    async kick(program, now) {
      if (scheduler && program.mode === 'live') await scheduler.kick(program.id);
      else await scheduling.runPendingResync(program.id, now);
    },
  };
  const programs = new ProgramService({ store: requestStore, clock, hashApiKey, kicker });
  const tiers = new TierService(requestStore, kicker);
  const customers = new CustomerService(requestStore);
  const privacy = new PrivacyService(requestStore, sealer);
  const webhooks = new WebhookService({
    store: requestStore,
    policy: webhookPolicy,
    secrets: webhookSecrets,
    kick: deps.webhooks?.dispatchOnCommit ? () => webhookDispatcher.kick() : undefined,
  });
  const orders = new OrderService(requestStore);
  const orderQueries = new OrderQueries(requestStore);
  const points = new PointsService(requestStore);
  const simulations = new SimulationService(requestStore);
  const replays = new ReplayService(requestStore);
  const analytics = new AnalyticsService(requestStore);
  const publicBase = deps.publicUrl ?? deps.passes?.publicUrl;
  // Each shop's cost bucket as its answers report it, one view per process shared by every Admin
  // call to the shop: write-back, backfill, segment sync, connection (0051).
  // Real time, not `clock`: Shopify restores the bucket by the wall clock whatever a test clock says.
  const shopifyBuckets = new ShopifyCostBuckets();
  const adminPacing = deps.shopify?.adminPacing === false ? undefined : { buckets: shopifyBuckets };
  const shopify = new ShopifyService({
    store: requestStore,
    clock,
    secrets: sealer,
    admin: (shop, token) => shopifyAdmin(shop, token, deps.shopify, adminPacing),
    callbackUrl: publicBase ? `${publicBase.replace(/\/+$/, '')}${SHOPIFY_WEBHOOK_PATH}` : undefined,
    orders,
    customers,
    privacy,
    programNow: (program) => programNow(program, clock),
    shops,
    recordsBehind: deps.shopify?.recordsBehind,
    logger,
  });
  // Tier tags and metafields back to the shop (0045), right after the commit that queued them;
  // paced by the shop's bucket (0051).
  const shopifyWriteBacks = outbox.register(
    new ShopifyWriteBackHandler({
      store,
      secrets: sealer,
      writer: (shop, token) => shopifyCustomerWriter(shop, token, deps.shopify, shopifyBuckets),
      pacing: deps.shopify?.writeBackPacing === false ? undefined : shopifyBuckets,
      clock,
      logger,
      retryBaseMs: deps.shopify?.writeBackRetryBaseMs,
    }),
    { wakeOnCommit: true },
  );
  const shopifyWriteBack = new ShopifyWriteBackService(requestStore);
  const klaviyoApiOf = (key: string) => klaviyoApi(key, deps.klaviyo);
  const klaviyoQueue = outbox.register(
    new KlaviyoHandler({
      store,
      customers,
      secrets: sealer,
      api: klaviyoApiOf,
      clock,
      logger,
      retryBaseMs: deps.klaviyo?.retryBaseMs,
      attentionDelayMs: deps.klaviyo?.attentionDelayMs,
    }),
    { wakeOnCommit: deps.klaviyo?.dispatchOnCommit ?? deps.pushOnCommit },
  );
  const klaviyoSync = new KlaviyoSyncService({
    store,
    customers,
    secrets: sealer,
    api: klaviyoApiOf,
    clock,
    logger,
    retryBaseMs: deps.klaviyo?.retryBaseMs,
    attentionDelayMs: deps.klaviyo?.attentionDelayMs,
    jobProfiles: deps.klaviyo?.syncJobProfiles,
    jobBytes: deps.klaviyo?.syncJobBytes,
  });
  const klaviyo = new KlaviyoService({
    store: requestStore,
    clock,
    secrets: sealer,
    api: klaviyoApiOf,
    kick: () => klaviyoQueue.kick(),
    // A first connection pushes every existing customer's profile (0052).
    firstConnected: (ctx) => klaviyoSync.startIfCustomers(ctx),
  });
  const shopifyBackfill = new ShopifyBackfillService({
    ...deps.shopifyBackfill,
    store,
    clock,
    shopify,
    history: (shop, token, signal) =>
      shopifyHistory(shop, token, deps.shopify, adminPacing && { ...adminPacing, signal }),
    bulk: (shop, token, signal) =>
      shopifyBulk(shop, token, deps.shopify, adminPacing && { ...adminPacing, signal }),
    resync: recalculation,
    programNow: (program) => programNow(program, clock),
    logger,
  });
  const shopifyOAuth = new ShopifyOAuth({
    app: deps.shopifyApp,
    publicUrl: publicBase,
    origin: deps.shopify?.origin,
    now: () => clock.now(),
    // A program deleted since its install link was made: the adapters throw a plain Error.
    program: (id) =>
      requestStore
        .scoped(id)
        .program.get()
        .catch((err: unknown) => {
          if (err instanceof DatabaseUnavailableError) throw err;
          return null;
        }),
    programNow: (program) => programNow(program, clock),
    connection: (id) => requestStore.scoped(id).shopify.get(),
    connect: (ctx, input) => shopify.connect(ctx, input),
  });
  // Stored-but-unapplied deliveries and `recorded` privacy requests, swept by a job (0051).
  const shopifyPending = new ShopifyPendingSweep({ store: requestStore, shopify, logger });
  const shopifySegments = new ShopifySegments({
    store: requestStore,
    clock,
    secrets: sealer,
    admin: (shop, token) => shopifyAdmin(shop, token, deps.shopify, adminPacing),
    customers,
    programNow: (program) => programNow(program, clock),
    ...deps.shopifySegments,
  });
  const artwork = new ArtworkService({
    store: requestStore,
    renderer:
      deps.imageRenderer ??
      new IsolatedPassFaceRenderer({
        ...DEFAULT_IMAGE_WORK_LIMITS,
        ...deps.images,
        maxPixels: DEFAULT_ARTWORK_LIMITS.maxPixels,
      }),
    limits: DEFAULT_ARTWORK_LIMITS,
  });
  // Program branding over the templates (0025); without pass templates, an empty base.
  const branding = new PassBranding({
    store: requestStore,
    templates: deps.passes?.templates ?? deps.google?.templates ?? EMPTY_TEMPLATES,
    logger,
  });
  const previews = new PassPreviewService({ store: requestStore, branding, renderer: artwork.renderer });
  // Pass fetches run when no other request is in flight (issue 16, decision 0049).
  const priority = new RequestPriority(deps.passes?.fetches);
  const passes = deps.passes
    ? new PassService({ ...deps.passes, store: requestStore, clock, logger, branding, previews, priority })
    : undefined;
  const passWeb =
    passes && deps.passes
      ? new PassWebService({
          store,
          clock,
          passes,
          passTypeIdentifier: deps.passes.signer.passTypeIdentifier,
        })
      : undefined;
  if (passes && deps.passes && deps.pushSender) {
    // Deliver right after the commit that queued the push; the Agenda job is the safety net.
    passPushes = outbox.register(
      new ApplePushHandler({
        store,
        passes,
        sender: deps.pushSender,
        topic: deps.passes.signer.passTypeIdentifier,
        clock,
        logger,
      }),
      { wakeOnCommit: deps.pushOnCommit },
    );
  }

  const google = deps.google
    ? new GoogleWalletService({
        ...deps.google,
        store: requestStore,
        clock,
        logger,
        branding,
        previews,
        renderer: artwork.renderer,
      })
    : undefined;
  if (google) {
    // Patch right after the commit that queued the update; the Agenda job is the safety net.
    googleUpdates = outbox.register(
      new GoogleObjectHandler({ store, google, clock, logger, retryBaseMs: deps.google?.retryBaseMs }),
      { wakeOnCommit: deps.pushOnCommit },
    );
  }

  const walletHealth = new WalletHealthService({
    store: requestStore,
    clock,
    appleConfigured: passes !== undefined,
    certificates: deps.passes?.certificates ?? [],
    pushConfigured: passPushes !== undefined,
    googleConfigured: google !== undefined,
  });

  const sessions = new SessionService({
    store,
    clock,
    hashApiKey,
    ttlMs: (deps.sessionTtlHours ?? DEFAULT_SESSION_TTL_HOURS) * 3_600_000,
  });
  const publicUrl = deps.publicUrl ?? deps.passes?.publicUrl;

  const { app } = createHttpApp({
    logger,
    requestPriority: priority,
    authenticator: createAuthenticator({
      store: requestStore,
      // Decorated above, once, for the authenticator and the services alike.
      programCacheTtlMs: 0,
      programNow: (program) => programNow(program, clock),
      adminToken: deps.adminToken,
      sessions,
      publicUrl,
    }),
    consoleDir: deps.consoleDir ?? DEFAULT_CONSOLE_DIR,
    htmlErrorPages: { pathPrefix: '/passes/', render: shopperErrorPage },
    metrics: createHttpMetrics({
      groupCommit: () => store.groupCommitStats(),
      secrets: () =>
        resealReport && {
          // Webhook secrets and connection credentials alike (0041, 0052).
          resealed:
            resealReport.resealed +
            Object.values(credentialReport?.resealed ?? {}).reduce((a, b) => a + b, 0),
          unopenable: resealReport.unopenable.length,
        },
    }),
    readiness: {
      database: () => store.ping(),
      scheduler: async () => {
        if (scheduler) await scheduler.ping();
      },
    },
    trustProxy: deps.trustProxy ?? false,
    rateLimits: new RateLimits({ ...DEFAULT_RATE_LIMITS, ...deps.rateLimits }),
    version: VERSION,
    rawJsonPaths: [SHOPIFY_WEBHOOK_PATH],
    registerRoutes(api) {
      registerSessionRoutes(api, sessions, { publicUrl });
      registerProgramRoutes(api, programs);
      registerCyclePreviewRoutes(api);
      registerTierRoutes(api, tiers);
      registerArtworkRoutes(api, artwork, previews);
      registerBrandingRoutes(api, { branding, previews });
      registerCustomerRoutes(api, customers);
      registerPrivacyRoutes(api, privacy);
      registerLedgerRoutes(api, orders, points);
      registerOrderReadRoutes(api, orderQueries);
      registerSimulationRoutes(api, simulations, replays);
      registerAnalyticsRoutes(api, analytics);
      registerRecalculationRoutes(api, recalculation);
      registerTestClockRoutes(api, scheduling);
      registerWebhookRoutes(api, webhooks);
      if (passes) registerPassRoutes(api, passes, tiers, previews, { google: google !== undefined });
      if (passWeb) registerPassWebRoutes(api, passWeb);
      registerGoogleWalletRoutes(api, { google, passes, store });
      registerWalletHealthRoutes(api, walletHealth);
      registerShopifyRoutes(api, shopify);
      registerShopifyWriteBackRoutes(api, shopifyWriteBack);
      registerKlaviyoRoutes(api, klaviyo, klaviyoSync);
      registerShopifyBackfillRoutes(api, shopifyBackfill);
      registerShopifyOAuthRoutes(api, shopifyOAuth);
      registerShopifySegmentRoutes(api, shopifySegments);
    },
  });
  return {
    app,
    services: {
      programs,
      tiers,
      customers,
      orders,
      points,
      recalculation,
      scheduling,
      passes,
      artwork,
      branding,
      previews,
      passPushes,
      google,
      googleUpdates,
      webhooks,
      webhookDispatcher,
      outbox,
      webhookSender,
      /**
       * Seal plain webhook secrets and re-seal those under an older key under the current one
       * (main.ts runs it at start, on worker 0); the report also feeds /metrics.
       */
      async resealSecrets(): Promise<WebhookResealReport> {
        resealReport = await webhookSecrets.resealAll(store);
        return resealReport;
      },
      /**
       * Re-seal the connections' credentials (Shopify access tokens and webhook secrets, Klaviyo
       * keys) under an older key under the current one (main.ts, at start, worker 0; 0052).
       */
      async resealCredentials(): Promise<CredentialResealReport> {
        credentialReport = await credentialReseal.resealAll(store);
        return credentialReport;
      },
      shopify,
      shopifyWriteBacks,
      klaviyo,
      /** The Klaviyo outbox kind's queue (docs/decisions/0044). */
      klaviyoQueue,
      /** "Sync all profiles": Bulk Import Profiles jobs in the background (docs/decisions/0052). */
      klaviyoSync,
      shopifyBackfill,
      shopifySegments,
      shopifyPending,
      /** The gate pass fetches wait at (decision 0049). */
      requestPriority: priority,
    },
    /** Hand immediate resyncs of live programs to the running scheduler. */
    attachScheduler(s: Scheduler) {
      scheduler = s;
    },
  };
}
