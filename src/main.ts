/** Entry point: read config, open the store, serve HTTP, shut down gracefully. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { systemClock } from './clock.js';
import { ConfigError, configWarnings, loadConfig } from './config.js';
import { PassFetchThread } from './features/passes/pass-fetch-thread.js';
import { loadLinkSecret, PassLinkSigner } from './features/passes/pass-links.js';
import { loadPassTemplates } from './features/passes/pass-templates.js';
import { ApnsPushSender } from './integrations/apple/apns-push-sender.js';
import { openPassSigner } from './integrations/apple/open-pass-signer.js';
import { openGoogleWallet } from './integrations/google/open-google-wallet.js';
import { ServiceAccountError } from './integrations/google/service-account.js';
import { loadSecretKeys, SecretBox } from './integrations/secrets/secret-box.js';
import { startScheduler } from './jobs/scheduler.js';
import { DataDirLockedError } from './store/data-dir-lock.js';
import { openDatabase } from './store/open-store.js';
import { runPrimary, shouldFork, workerIndex } from './workers.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const root = pino({ level: config.logLevel });
  const logger = workerIndex(config) === undefined ? root : root.child({ worker: workerIndex(config) });
  if (config.mongodbUri) {
    logger.fatal('MONGODB_URI is set, but this version ships only the PostgreSQL/embedded store; unset it');
    process.exit(2);
  }
  // Once per server: the primary (or the single process) logs them, not each worker.
  if (workerIndex(config) === undefined) for (const warning of configWarnings(config)) logger.warn(warning);
  if (shouldFork(config)) {
    runPrimary(config, logger);
    return;
  }
  const worker = workerIndex(config);
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      logger,
      poolSize: config.pgPoolSize,
      customerGroups: config.groupCommit,
      applicationName: worker === undefined ? 'tierpass' : `tierpass-worker-${worker}`,
    });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      logger.fatal({ dataDir: err.dataDir, holder: err.holder }, err.message);
      console.error(err.message);
      process.exit(3);
    }
    throw err;
  }
  const { store, agendaPool } = database;
  const apple = await openPassSigner(config.apple, logger, systemClock);
  const templatesDir = fileURLToPath(new URL('../pass-templates/', import.meta.url));
  const linkSecret = await loadLinkSecret(config.passLinkSecret, join(config.dataDir, 'pass-link-secret'));
  // Pass fetches from a lower-priority thread with its own pool (decision 0054; PostgreSQL only).
  const passThread =
    config.passFetchThread && config.databaseUrl
      ? new PassFetchThread({
          entry: new URL(`./pass-fetch-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
          logger,
          databaseUrl: config.databaseUrl,
          poolSize: 2,
          certsDir: config.apple.certsDir ?? config.apple.devCertsDir,
          keyPassphrase: config.apple.keyPassphrase,
          passTypeIdentifier: config.apple.passTypeId,
          teamIdentifier: config.apple.teamId,
          templatesDir,
          linkSecret,
          publicUrl: config.publicUrl,
          cacheEntries: config.passCacheEntries,
          nice: config.passFetchThread.nice,
        })
      : undefined;
  const passes = {
    signer: apple.signer,
    templates: await loadPassTemplates(templatesDir),
    links: new PassLinkSigner(linkSecret),
    publicUrl: config.publicUrl,
    cacheEntries: config.passCacheEntries,
    fetches: config.passFetches,
    certificates: apple.certificates,
    thread: passThread,
  };
  let googleWallet: Awaited<ReturnType<typeof openGoogleWallet>>;
  try {
    googleWallet = await openGoogleWallet(config.google, logger);
  } catch (err) {
    if (err instanceof ServiceAccountError) {
      logger.fatal(`GOOGLE_WALLET_KEY_FILE: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const apns = config.apns;
  const pushSender = apns
    ? new ApnsPushSender({
        cert: await readFile(apns.certPath),
        key: await readFile(apns.keyPath),
        production: apns.production,
        address: apns.address,
        port: apns.port,
        ca: apns.caPath ? [await readFile(apns.caPath)] : undefined,
      })
    : undefined;
  // Third-party credentials at rest (docs/decisions/0041): SECRETS_KEYS, else one key generated
  // once into the data directory (every worker reads the same file).
  const secrets = new SecretBox(
    await loadSecretKeys(config.secretsKeys, join(config.dataDir, 'secrets-key')),
  );
  const generated = config.adminToken === undefined;
  const adminToken = config.adminToken ?? `tpa_${randomBytes(24).toString('base64url')}`;
  const { app, services, attachScheduler } = buildApp({
    store,
    clock: systemClock,
    logger,
    adminToken,
    secrets,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    shopifyApp: config.shopifyApp,
    sessionTtlHours: config.sessionTtlHours,
    consoleDir: config.consoleDir,
    // With WORKERS the primary counts for all of them (src/workers.ts).
    rateLimits: { ...config.rateLimits, store: worker === undefined ? 'memory' : 'cluster' },
    passes,
    pushSender,
    pushOnCommit: true,
    webhooks: { ...config.webhooks, dispatchOnCommit: true },
    images: config.images,
    google: googleWallet && { ...googleWallet, publicUrl: config.publicUrl, templates: passes.templates },
    shopifySegments: { everyMs: config.shopifySegmentsEveryMs },
    shopifyBackfill: { ordersMode: config.shopifyBackfillOrders },
  });
  // Pass tokens issued before migration 021 are encrypted once; worker 0 does it for all (0021).
  if (services.passes && (worker === undefined || worker === 0)) {
    const sealed = await services.passes.sealLegacyTokens();
    if (sealed > 0) logger.info({ sealed }, 'legacy pass tokens sealed');
  }
  // Webhook secrets still in plain text are sealed, and those under an older key re-sealed
  // under the current one, so the older key can then leave SECRETS_KEYS; worker 0 does it for all.
  if (worker === undefined || worker === 0) {
    const { resealed, unopenable } = await services.resealSecrets();
    logger.info(
      { resealed, unopenable: unopenable.length, currentKey: secrets.currentKeyId },
      'webhook secrets sealed under the current key',
    );
    for (const u of unopenable) {
      logger.error(
        { programId: u.programId, subscriptionId: u.subscriptionId, reason: u.reason },
        'webhook secret does not open: its deliveries fail until its key is back in SECRETS_KEYS or the secret is rotated',
      );
    }
    // The connections' credentials too (docs/decisions/0052): counts and ids only, never a value.
    const credentials = await services.resealCredentials();
    logger.info(
      {
        ...credentials.resealed,
        unopenable: credentials.unopenable.length,
        currentKey: secrets.currentKeyId,
      },
      'connection credentials sealed under the current key',
    );
    for (const u of credentials.unopenable) {
      logger.error(
        { programId: u.programId, credential: u.kind, reason: u.reason },
        'connection credential does not open: add its key back to SECRETS_KEYS or reconnect',
      );
    }
  }
  const scheduler = config.scheduler
    ? await startScheduler(
        agendaPool,
        {
          store,
          scheduling: services.scheduling,
          clock: systemClock,
          logger,
          passPushes: services.passPushes,
          webhooks: services.webhookDispatcher,
          googleUpdates: services.googleUpdates,
          shopifyWriteBacks: services.shopifyWriteBacks,
          klaviyo: services.klaviyoQueue,
          klaviyoSync: services.klaviyoSync,
          shopifyBackfill: services.shopifyBackfill,
          shopifySegments: services.shopifySegments,
          shopifyPending: services.shopifyPending,
        },
        {
          processEveryMs: config.schedulerPollMs,
          tickEveryMs: config.schedulerTickMs,
          lockLifetimeMs: 10 * 60 * 1000,
          name: `tierpass-${process.pid}`,
        },
      )
    : undefined;
  if (scheduler) attachScheduler(scheduler);

  const server = app.listen(config.port, config.host, () => {
    const url = `http://localhost:${config.port}`;
    const storage = config.databaseUrl
      ? 'PostgreSQL server (DATABASE_URL)'
      : `embedded PGlite in ${config.dataDir}`;
    logger.info({ url, storage }, 'Tierpass listening');
    // Worker processes: the primary prints the banner once (src/workers.ts).
    if (worker !== undefined) return;
    // Printed plainly too: the quick start tells people to copy it from here.
    console.log(`\nTierpass is running at ${url}  (storage: ${storage})`);
    if (generated) {
      console.log(`Admin token (generated for this run; set ADMIN_TOKEN to keep one): ${adminToken}`);
    }
    console.log(
      `Create a program:\n  curl -s -X POST ${url}/v1/programs -H "Authorization: Bearer ${adminToken}" -H 'Content-Type: application/json' -d '{"name":"My shop"}'\n`,
    );
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close(() => {
      Promise.resolve(scheduler?.stop())
        // Running backfills stop after their page (their reads at once); resumed after the lease.
        .then(() => services.shopifyBackfill.close())
        // Shopify delivery records still queued to be written behind (decision 0050).
        .then(() => services.shopify.close())
        // The batches being delivered finish (or stay leased) before their senders close.
        .then(() => services.outbox.close())
        .then(() => pushSender?.close())
        .then(() => services.webhookSender.close())
        .then(() => services.artwork.close())
        .then(() => passThread?.close())
        .then(() => store.close())
        .then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'error while closing the store');
            process.exit(1);
          },
        );
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('Tierpass failed to start:', err);
  process.exit(1);
});
