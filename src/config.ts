/** Environment → one typed, validated config object, read once at start. */
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_WALLET_API_ROOT } from './integrations/google/wallet-client.js';
import type { ImageWorkLimits } from './integrations/images/image-work-pool.js';
import { parseSecretKeys } from './integrations/secrets/secret-box.js';

/** What Tierpass needs of a shop (docs/shopify.md): orders and customers in, tags back out. */
const DEFAULT_SHOPIFY_SCOPES = 'read_orders,read_customers,write_customers';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ADMIN_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'must be a postgres:// or postgresql:// URL',
  }),
  DATA_DIR: z.string().min(1).default('./data'),
  MONGODB_URI: optionalString,
  PUBLIC_URL: optionalString.refine((v) => v === undefined || /^https?:\/\/[^/]+/.test(v), {
    message: 'must be an http(s) URL',
  }),
  CONSOLE_DIR: optionalString,
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  GROUP_COMMIT_SIZE: z.coerce.number().int().min(1).max(1000).default(32),
  GROUP_COMMIT_CONCURRENCY: z.coerce.number().int().min(1).max(200).optional(),
  /** Set by the primary on the worker processes it forks (src/workers.ts), not by operators. */
  TIERPASS_WORKER_INDEX: z.coerce.number().int().min(0).max(63).optional(),
  SCHEDULER: z.enum(['on', 'off']).default('on'),
  SCHEDULER_TICK_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  SCHEDULER_POLL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  SHOPIFY_SEGMENTS_EVERY_MINUTES: z.coerce.number().int().min(5).max(10_080).default(60),
  SHOPIFY_BACKFILL_ORDERS: z.enum(['auto', 'paged', 'bulk']).default('auto'),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  RATE_LIMIT_AUTH_FAILURES: z.coerce.number().int().min(0).max(1_000_000).default(30),
  RATE_LIMIT_AUTH_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  RATE_LIMIT_EXPENSIVE_PER_PROGRAM: z.coerce.number().int().min(0).max(1_000_000).default(120),
  RATE_LIMIT_EXPENSIVE_PER_CLIENT: z.coerce.number().int().min(0).max(1_000_000).default(240),
  RATE_LIMIT_EXPENSIVE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  APPLE_PASS_TYPE_ID: optionalString.refine((v) => v === undefined || /^pass\.[\w.-]+$/.test(v), {
    message: 'must look like pass.com.example.loyalty',
  }),
  APPLE_TEAM_ID: optionalString.refine((v) => v === undefined || /^[A-Z0-9]{10}$/.test(v), {
    message: 'must be the 10-character Apple team id',
  }),
  APPLE_CERTS_DIR: optionalString,
  APPLE_KEY_PASSPHRASE: optionalString,
  PASS_LINK_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: 'must be at least 32 characters',
  }),
  SHOPIFY_API_KEY: optionalString,
  SHOPIFY_API_SECRET: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters (the app’s client secret)',
  }),
  SHOPIFY_SCOPES: optionalString.refine(
    (v) => v === undefined || /^[a-z_]+(,[a-z_]+)*$/.test(v.replaceAll(' ', '')),
    { message: 'must be comma-separated Shopify access scopes, e.g. read_orders,read_customers' },
  ),
  SECRETS_KEYS: optionalString.superRefine((v, ctx) => {
    if (v === undefined) return;
    try {
      if (parseSecretKeys(v).length === 0) ctx.addIssue({ code: 'custom', message: 'lists no key' });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }),
  PASS_CACHE_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(2000),
  PASS_FETCH_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(1),
  PASS_FETCH_MAX_DEFER_MS: z.coerce.number().int().min(0).max(60_000).default(250),
  PASS_FETCH_SETTLE_MS: z.coerce.number().int().min(0).max(1000).default(2),
  PASS_FETCH_THREAD: z.enum(['on', 'off']).optional(),
  PASS_FETCH_NICE: z.coerce.number().int().min(0).max(19).default(10),
  APNS: z.enum(['on', 'off']).default('on'),
  APNS_PRODUCTION: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  APNS_ADDRESS: optionalString,
  APNS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  APNS_CERT: optionalString,
  APNS_KEY: optionalString,
  APNS_CA: optionalString,
  IMAGE_WORKERS: z.coerce.number().int().min(1).max(64).default(2),
  IMAGE_QUEUE: z.coerce.number().int().min(0).max(10_000).default(8),
  IMAGE_CPU_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  IMAGE_WALL_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  IMAGE_MAX_RSS_MB: z.coerce.number().int().min(64).max(65_536).default(768),
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  WEBHOOK_ALLOW_LOOPBACK_URLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  GOOGLE_WALLET_ISSUER_ID: optionalString.refine((v) => v === undefined || /^\d{1,30}$/.test(v), {
    message: 'must be the numeric issuer id from the Google Pay & Wallet Console',
  }),
  GOOGLE_WALLET_KEY_FILE: optionalString,
  GOOGLE_WALLET_API_ROOT: optionalString.refine((v) => v === undefined || /^https?:\/\/[^/]+/.test(v), {
    message: 'must be an http(s) URL',
  }),
  GOOGLE_WALLET_TOKEN_URL: optionalString.refine((v) => v === undefined || /^https?:\/\/[^/]+/.test(v), {
    message: 'must be an http(s) URL',
  }),
  GOOGLE_WALLET_ORIGINS: optionalString.refine(
    (v) => v === undefined || v.split(',').every((o) => /^https?:\/\/[^/\s]+\/?$/.test(o.trim())),
    { message: 'must be comma-separated origins like https://shop.example.com' },
  ),
});

export interface Config {
  port: number;
  host: string;
  /** Admin bearer token; generated at start when not configured. */
  adminToken: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  mongodbUri: string | undefined;
  publicUrl: string;
  /** The operator's Shopify app for OAuth installs (decision 0047); undefined: manual connections only. */
  shopifyApp: { apiKey: string; apiSecret: string; scopes: string[] } | undefined;
  /** The built console served at /console; undefined → console/dist under the project root. */
  consoleDir: string | undefined;
  /** Absolute lifetime of a console session, hours. */
  sessionTtlHours: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  pgPoolSize: number;
  /** Group commit of event transactions per program (store/postgres/customer-tx-groups.ts). */
  groupCommit: { maxSize: number; concurrency: number };
  /** Worker processes sharing the port (src/workers.ts); more than one needs DATABASE_URL. */
  workers: number;
  /** This process's index when it is a forked worker (0 runs the scheduler), else undefined. */
  workerIndex: number | undefined;
  trustProxy: boolean;
  /**
   * Rate limits (http/rate-limits.ts, 0021): failed credential checks per client and kind,
   * expensive operations per program and per client, each per window; 0 turns one off.
   */
  rateLimits: {
    authFailures: number;
    authWindowSeconds: number;
    expensivePerProgram: number;
    expensivePerClient: number;
    expensiveWindowSeconds: number;
  };
  /** Run the Agenda scheduler in this process (turn off on API-only replicas). */
  scheduler: boolean;
  /** How often scheduled work is looked for. */
  schedulerTickMs: number;
  /** How often Agenda polls its job table. */
  schedulerPollMs: number;
  /** How often each live program's Shopify segments are synced (decision 0048). */
  shopifySegmentsEveryMs: number;
  /** How a history backfill reads orders: pages, one bulk export, or by shop size (0046). */
  shopifyBackfillOrders: 'auto' | 'paged' | 'bulk';
  /** Apple Wallet: pass type, team, certificates (unset certsDir → development PKI under DATA_DIR). */
  apple: {
    passTypeId: string;
    teamId: string;
    certsDir: string | undefined;
    keyPassphrase: string | undefined;
    devCertsDir: string;
  };
  /** Webhook deliveries: addresses allowed beyond public ones, request timeout. */
  webhooks: {
    policy: { allowPrivate: boolean; allowLoopback: boolean };
    timeoutMs: number;
  };
  /** HMAC key of shopper pass links; undefined → generated once and kept under DATA_DIR. */
  passLinkSecret: string | undefined;
  /**
   * Keyring sealing third-party credentials at rest (`<id>:<base64 32 bytes>`, comma-separated,
   * current first); undefined → one key generated once and kept under DATA_DIR (secrets-key).
   */
  secretsKeys: string | undefined;
  /** Built passes kept in memory (LRU by serial and update tag); 0 turns the cache off. */
  passCacheEntries: number;
  /**
   * Pass fetches over HTTP wait for the other requests in flight (http/request-priority.ts): at
   * most `concurrency` at once per process, never deferred longer than `maxDeferMs`.
   */
  passFetches: { concurrency: number; maxDeferMs: number; settleMs: number };
  /**
   * Pass fetches served by a thread of their own at `nice` (decision 0054); only with
   * DATABASE_URL (a thread cannot share the embedded PGlite). Undefined: served in-process.
   */
  passFetchThread: { nice: number } | undefined;
  /** Bounds of artwork decoding and rendering in child processes (image-work-pool.ts). */
  images: Omit<ImageWorkLimits, 'maxPixels'>;
  /** APNs pushes of pass updates; undefined when turned off. */
  apns:
    | {
        production: boolean;
        /** Another server than Apple's (a stand-in); sandbox mode then. */
        address: string | undefined;
        port: number | undefined;
        /** PEM files: client certificate with Apple's push OIDs and its key. */
        certPath: string;
        keyPath: string;
        /** Extra trusted CA (PEM file) for `address`. */
        caPath: string | undefined;
      }
    | undefined;
  /** Google Wallet passes; undefined (off) unless both the issuer id and the key file are set. */
  google:
    | {
        /** Issuer id: the prefix of every class and object id. */
        issuerId: string;
        /** Service account key file (JSON with client_email and private_key). */
        keyFile: string;
        /** Wallet REST API root (a stand-in in tests). */
        apiRoot: string;
        /** OAuth token endpoint override; undefined → Google's. */
        tokenUrl: string | undefined;
        /** `origins` of save-link JWTs: sites allowed to show the save button. */
        origins: string[];
      }
    | undefined;
}

export class ConfigError extends Error {}

/**
 * What a valid configuration still gets wrong for production, one line each (logged at start):
 * the development Apple certificates with a non-https PUBLIC_URL (real certificates with one
 * are refused by `loadConfig`).
 */
export function configWarnings(config: Pick<Config, 'publicUrl' | 'apple'>): string[] {
  const warnings: string[] = [];
  if (!config.publicUrl.startsWith('https://')) {
    warnings.push(
      `PUBLIC_URL ${config.publicUrl} is not https: Apple Wallet only calls an https webServiceURL, so passes from this server will not update on devices (fine with the development certificates; production needs https and APPLE_CERTS_DIR)`,
    );
  }
  return warnings;
}

/** Parse the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.APPLE_CERTS_DIR && (!e.APPLE_PASS_TYPE_ID || !e.APPLE_TEAM_ID)) {
    throw new ConfigError(
      'Invalid configuration:\n  APPLE_CERTS_DIR: also set APPLE_PASS_TYPE_ID and APPLE_TEAM_ID (they must match the certificate)',
    );
  }
  if (Boolean(e.GOOGLE_WALLET_ISSUER_ID) !== Boolean(e.GOOGLE_WALLET_KEY_FILE)) {
    throw new ConfigError(
      'Invalid configuration:\n  GOOGLE_WALLET_ISSUER_ID, GOOGLE_WALLET_KEY_FILE: set both to turn Google Wallet on, or neither',
    );
  }
  if (Boolean(e.SHOPIFY_API_KEY) !== Boolean(e.SHOPIFY_API_SECRET)) {
    throw new ConfigError(
      'Invalid configuration:\n  SHOPIFY_API_KEY, SHOPIFY_API_SECRET: set both to allow OAuth installs, or neither',
    );
  }
  if (e.PASS_FETCH_THREAD === 'on' && !e.DATABASE_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  PASS_FETCH_THREAD: a pass fetch thread needs DATABASE_URL (embedded PGlite is one thread)',
    );
  }
  if (e.WORKERS > 1 && !e.DATABASE_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  WORKERS: more than one worker process needs DATABASE_URL (embedded PGlite is one process)',
    );
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  if (e.APPLE_CERTS_DIR && !publicUrl.startsWith('https://')) {
    throw new ConfigError(
      `Invalid configuration:\n  PUBLIC_URL: must be an https:// URL when APPLE_CERTS_DIR is set (real Apple certificates), not ${publicUrl}. Wallet only calls an https webServiceURL, so passes would never update.`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    adminToken: e.ADMIN_TOKEN,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    mongodbUri: e.MONGODB_URI,
    publicUrl,
    shopifyApp:
      e.SHOPIFY_API_KEY && e.SHOPIFY_API_SECRET
        ? {
            apiKey: e.SHOPIFY_API_KEY,
            apiSecret: e.SHOPIFY_API_SECRET,
            scopes: (e.SHOPIFY_SCOPES ?? DEFAULT_SHOPIFY_SCOPES)
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s.length > 0),
          }
        : undefined,
    consoleDir: e.CONSOLE_DIR,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    logLevel: e.LOG_LEVEL,
    pgPoolSize: e.PG_POOL_SIZE,
    groupCommit: {
      maxSize: e.GROUP_COMMIT_SIZE,
      // Per process: 2 with one process, 1 in each of several (measured, BENCHMARKS.md).
      concurrency: e.GROUP_COMMIT_CONCURRENCY ?? (e.WORKERS > 1 ? 1 : 2),
    },
    workers: e.WORKERS,
    workerIndex: e.TIERPASS_WORKER_INDEX,
    trustProxy: e.TRUST_PROXY,
    rateLimits: {
      authFailures: e.RATE_LIMIT_AUTH_FAILURES,
      authWindowSeconds: e.RATE_LIMIT_AUTH_WINDOW_SECONDS,
      expensivePerProgram: e.RATE_LIMIT_EXPENSIVE_PER_PROGRAM,
      expensivePerClient: e.RATE_LIMIT_EXPENSIVE_PER_CLIENT,
      expensiveWindowSeconds: e.RATE_LIMIT_EXPENSIVE_WINDOW_SECONDS,
    },
    scheduler: e.SCHEDULER === 'on',
    schedulerTickMs: e.SCHEDULER_TICK_MS,
    schedulerPollMs: e.SCHEDULER_POLL_MS,
    shopifySegmentsEveryMs: e.SHOPIFY_SEGMENTS_EVERY_MINUTES * 60_000,
    shopifyBackfillOrders: e.SHOPIFY_BACKFILL_ORDERS,
    apple: {
      passTypeId: e.APPLE_PASS_TYPE_ID ?? 'pass.dev.tierpass',
      teamId: e.APPLE_TEAM_ID ?? 'DEVTEAM000',
      certsDir: e.APPLE_CERTS_DIR,
      keyPassphrase: e.APPLE_KEY_PASSPHRASE,
      devCertsDir: join(e.DATA_DIR, 'dev-certs'),
    },
    passLinkSecret: e.PASS_LINK_SECRET,
    secretsKeys: e.SECRETS_KEYS,
    webhooks: {
      policy: { allowPrivate: e.WEBHOOK_ALLOW_PRIVATE_URLS, allowLoopback: e.WEBHOOK_ALLOW_LOOPBACK_URLS },
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    },
    passCacheEntries: e.PASS_CACHE_ENTRIES,
    passFetches: {
      concurrency: e.PASS_FETCH_CONCURRENCY,
      maxDeferMs: e.PASS_FETCH_MAX_DEFER_MS,
      settleMs: e.PASS_FETCH_SETTLE_MS,
    },
    // Off unless asked for (measured: decision 0054); PASS_FETCH_THREAD=on without a PostgreSQL
    // server is refused above.
    passFetchThread: e.DATABASE_URL && e.PASS_FETCH_THREAD === 'on' ? { nice: e.PASS_FETCH_NICE } : undefined,
    images: {
      workers: e.IMAGE_WORKERS,
      queue: e.IMAGE_QUEUE,
      cpuMs: e.IMAGE_CPU_MS,
      wallMs: e.IMAGE_WALL_MS,
      maxRssBytes: e.IMAGE_MAX_RSS_MB * 1024 * 1024,
    },
    apns:
      e.APNS === 'off'
        ? undefined
        : {
            production: e.APNS_PRODUCTION,
            address: e.APNS_ADDRESS,
            port: e.APNS_PORT,
            certPath: e.APNS_CERT ?? join(e.APPLE_CERTS_DIR ?? join(e.DATA_DIR, 'dev-certs'), 'apnsCert.pem'),
            keyPath: e.APNS_KEY ?? join(e.APPLE_CERTS_DIR ?? join(e.DATA_DIR, 'dev-certs'), 'apnsKey.pem'),
            caPath: e.APNS_CA,
          },
    google:
      e.GOOGLE_WALLET_ISSUER_ID && e.GOOGLE_WALLET_KEY_FILE
        ? {
            issuerId: e.GOOGLE_WALLET_ISSUER_ID,
            keyFile: e.GOOGLE_WALLET_KEY_FILE,
            apiRoot: (e.GOOGLE_WALLET_API_ROOT ?? DEFAULT_WALLET_API_ROOT).replace(/\/+$/, ''),
            tokenUrl: e.GOOGLE_WALLET_TOKEN_URL,
            origins: (e.GOOGLE_WALLET_ORIGINS ?? new URL(publicUrl).origin)
              .split(',')
              .map((o) => o.trim().replace(/\/+$/, '')),
          }
        : undefined,
  };
}
