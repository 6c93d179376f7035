/** The real app with Google Wallet on, talking to a local Google stand-in, on the real test database. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { GoogleDispatchReport } from '../../src/features/google-wallet/google-object-handler.js';
import type { OutboxQueue } from '../../src/features/outbox/outbox-worker.js';
import { PassLinkSigner } from '../../src/features/passes/pass-links.js';
import { loadPassTemplates } from '../../src/features/passes/pass-templates.js';
import { openPassSigner } from '../../src/integrations/apple/open-pass-signer.js';
import { openGoogleWallet } from '../../src/integrations/google/open-google-wallet.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { testDatabaseUrl } from '../support/db.js';
import {
  type GoogleStandIn,
  makeServiceAccount,
  startGoogleStandIn,
  type TestServiceAccount,
} from './google-stand-in.js';

export const PUBLIC_URL = 'https://passes.example.test';
export const ISSUER_ID = '3388000000012345678';
export const ORIGINS = ['https://shop.example.test'];

export interface GoogleHarness {
  app: ReturnType<typeof buildApp>['app'];
  store: Store;
  standIn: GoogleStandIn;
  account: TestServiceAccount;
  dispatcher: OutboxQueue<GoogleDispatchReport>;
  close(): Promise<void>;
}

export async function startGoogleHarness(
  opts: {
    clock?: Clock;
    /** Deliver right after the commit that queued an update (as main.ts does). */
    pushOnCommit?: boolean;
    /** A database of its own instead of the run's shared one (own outbox). */
    databaseUrl?: string;
  } = {},
): Promise<GoogleHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'tierpass-google-'));
  const account = await makeServiceAccount(dir);
  const logger = pino({ level: 'silent' });
  const clock = opts.clock ?? { now: () => new Date() };
  // Google's 24-hour notification quota runs on the same (test) clock as the app.
  const standIn = await startGoogleStandIn(account, { now: () => clock.now() });
  // The same path as `npm start`: environment → config → opened client.
  const config = loadConfig({
    PUBLIC_URL,
    GOOGLE_WALLET_ISSUER_ID: ISSUER_ID,
    GOOGLE_WALLET_KEY_FILE: account.keyFile,
    GOOGLE_WALLET_API_ROOT: standIn.apiRoot,
    GOOGLE_WALLET_TOKEN_URL: standIn.tokenUrl,
    GOOGLE_WALLET_ORIGINS: ORIGINS.join(','),
  });
  const google = await openGoogleWallet(config.google, logger);
  if (!google) throw new Error('Google Wallet not configured');
  const apple = await openPassSigner(
    {
      passTypeId: 'pass.test.tierpass',
      teamId: 'TEAMID0000',
      certsDir: undefined,
      keyPassphrase: undefined,
      devCertsDir: join(dir, 'certs'),
    },
    logger,
    clock,
  );
  const templates = await loadPassTemplates(join(process.cwd(), 'pass-templates'));
  const store = await openStore({
    databaseUrl: opts.databaseUrl ?? testDatabaseUrl(),
    dataDir: 'memory://',
  });
  const { app, services } = buildApp({
    store,
    clock,
    logger,
    adminToken: 'test-admin-token-0123456789',
    passes: {
      signer: apple.signer,
      templates,
      links: new PassLinkSigner('test-link-secret-0123456789abcdef0123456789'),
      publicUrl: PUBLIC_URL,
      cacheEntries: 10,
    },
    google: { ...google, publicUrl: config.publicUrl, templates, retryBaseMs: 20 },
    pushOnCommit: opts.pushOnCommit,
  });
  if (!services.googleUpdates) throw new Error('no Google dispatcher');
  return {
    app,
    store,
    standIn,
    account,
    dispatcher: services.googleUpdates,
    close: async () => {
      await store.close();
      await standIn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
