/**
 * Shopify ingestion benchmark (`npm run bench:shopify`): signed `orders/paid` webhooks per second
 * beside plain `POST /v1/orders` in the same run, at C concurrent keep-alive clients, against the
 * real app in-process on a fresh PostgreSQL database.
 *
 *   npm run bench:shopify -- [--clients 16] [--seconds 8] [--rounds 2] [--customers 500]
 *                            [--payload subscribed|documented|minimal] [--clients-in-process]
 *                            [--records-delay 25] [--records-concurrency 2]
 *
 * Phases alternate (orders, webhooks, orders, webhooks, …) so drift on the shared machine hits
 * both alike; the medians are reported. Each webhook is Shopify's documented `orders/paid` example
 * (test/fixtures/shopify/webhooks-2025-10) as Tierpass's subscription receives it — trimmed to the
 * subscription's `includeFields` (decision 0055; `--payload documented`: the whole ≈ 9 KB example)
 * — with its own order id, signed with the app secret; the service verifies the HMAC, applies the
 * order inline and records the delivery (decisions 0042, 0050: behind the answer); `recorded`
 * counts the records once the queue is written. The clients run in a child process (as Shopify's
 * deliveries come from outside); per phase the service's CPU, its GC time, PostgreSQL's CPU per
 * request and the group-commit size are reported beside the rates.
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) is the admin connection;
 * the script creates tierpass_shopify_<ts> there and drops it at the end.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { SUBSCRIPTION_FIELDS } from '../src/features/shopify/shopify-subscriptions.js';
import { SecretBox } from '../src/integrations/secrets/secret-box.js';
import { openDatabase } from '../src/store/open-store.js';
import type { LoadResult } from './lib/closed-loop.js';
import { benchPostgresPids, postgresCpu, round } from './lib/proc-cpu.js';
import { includeFields } from './lib/shopify-include-fields.js';
import { shopifyLoad } from './lib/shopify-load.js';

const sumCpu = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

const ADMIN = 'bench-admin-token-0123456789abcdef';
const SHOP = 'bench-shop.myshopify.com';
const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    customers: { type: 'string', default: '500' },
    /**
     * subscribed (default): the example as Tierpass's subscription asks for it (its includeFields,
     * ≈ 0.7 KB); documented: Shopify's whole example order (≈ 9 KB); minimal: a customer email only.
     */
    payload: { type: 'string', default: 'subscribed' },
    /** Records written behind (decision 0050): longest wait of a batch, batches at once (defaults 25, 2). */
    'records-delay': { type: 'string' },
    'records-concurrency': { type: 'string' },
    /** The clients in the service's own process (before 2026-12-07 the only way); default: a child process. */
    'clients-in-process': { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(flags.clients);
const SECONDS = Number(flags.seconds);
const ROUNDS = Number(flags.rounds);
const CUSTOMERS = Number(flags.customers);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `tierpass_shopify_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const { store } = await openDatabase({ databaseUrl: url.toString(), dataDir: 'memory://' });
  const secrets = new SecretBox([{ id: 'b1', key: randomBytes(32) }]);
  const { app, services } = buildApp({
    store,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN,
    publicUrl: 'https://tierpass.example.com',
    secrets,
    shopify: {
      recordsBehind: {
        ...(flags['records-delay'] ? { delayMs: Number(flags['records-delay']) } : {}),
        ...(flags['records-concurrency'] ? { concurrency: Number(flags['records-concurrency']) } : {}),
      },
    },
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  try {
    const created = await fetch(`${base}/v1/programs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Bench', currency: 'USD', earning: { pointsPerUnit: 10 } }),
    }).then((r) => r.json() as Promise<{ apiKey: string; program: { id: string } }>);
    const auth = `Bearer ${created.apiKey}`;
    const programId = created.program.id;
    for (const [title, minAmount] of [
      ['Bronze', 0],
      ['Silver', 50_000],
      ['Gold', 200_000],
    ] as const) {
      await fetch(`${base}/v1/tiers`, {
        method: 'POST',
        headers: { Authorization: auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(
          minAmount === 0 ? { title } : { title, qualifications: [{ type: 'lifetimeSpend', minAmount }] },
        ),
      });
    }
    for (let i = 0; i < CUSTOMERS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, CUSTOMERS - i) }, (_, k) =>
          fetch(`${base}/v1/customers/${1_000_000 + i + k}`, {
            method: 'PUT',
            headers: { Authorization: auth, 'Content-Type': 'application/json' },
            body: JSON.stringify({ email: `c${i + k}@example.com` }),
          }),
        ),
      );
    }
    // The connection as PUT /v1/integrations/shopify stores it (no shop to ask here).
    const secret = `shpss_${randomBytes(16).toString('hex')}`;
    await store.scoped(programId).shopify.save(
      {
        shopDomain: SHOP,
        shopName: 'Bench shop',
        shopCurrency: 'USD',
        accessTokenSealed: secrets.seal('shpat_bench', `shopify:${programId}:access-token`),
        webhookSecretSealed: secrets.seal(secret, `shopify:${programId}:webhook-secret`),
        earnOn: 'subtotal',
        includeTestOrders: false,
        subscriptions: [],
        state: 'connected',
        connectedAt: new Date(),
      },
      new Date(),
    );
    const documented = JSON.parse(
      readFileSync(
        new URL('../test/fixtures/shopify/webhooks-2025-10/orders-paid.json', import.meta.url),
        'utf8',
      ),
    ) as Record<string, unknown>;
    const example: Record<string, unknown> =
      flags.payload === 'minimal'
        ? { customer: { email: 'john@example.com' } }
        : flags.payload === 'documented'
          ? documented
          : (includeFields(documented, SUBSCRIPTION_FIELDS.ORDERS_PAID ?? []) as Record<string, unknown>);

    const load = await shopifyLoad(
      { port, clients: CLIENTS, seconds: SECONDS, customers: CUSTOMERS, auth, shop: SHOP, secret, example },
      !flags['clients-in-process'],
    );
    // CPU per request of each phase: this process (the service, and the clients with
    // --clients-in-process) and the bench database's PostgreSQL backends.
    const meta = new pg.Client({ connectionString: adminUrl });
    await meta.connect();
    type Measured = LoadResult & {
      nodeUsPerRequest: number;
      nodeSystemUsPerRequest: number;
      gcUsPerRequest: number;
      postgresUsPerRequest: number;
      unitsPerTransaction: number;
    };
    const groups = () => store.groupCommitStats();
    // Time spent in garbage collection (this process), from the gc performance entries.
    let gcMs = 0;
    const gcWatch = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration;
    });
    gcWatch.observe({ entryTypes: ['gc'] });
    const measured = async <T extends LoadResult>(run: () => Promise<T>): Promise<T & Measured> => {
      const pids = await benchPostgresPids(meta, dbName);
      const pg0 = sumCpu(postgresCpu(pids));
      const node0 = process.cpuUsage();
      const g0 = groups();
      const gc0 = gcMs;
      const result = await run();
      const g = groups();
      const node = process.cpuUsage(node0);
      const pgSeconds = sumCpu(postgresCpu(pids)) - pg0;
      const n = Math.max(1, result.completed);
      return {
        ...result,
        nodeUsPerRequest: Math.round((node.user + node.system) / n),
        nodeSystemUsPerRequest: Math.round(node.system / n),
        gcUsPerRequest: Math.round(((gcMs - gc0) * 1000) / n),
        postgresUsPerRequest: Math.round((pgSeconds * 1e6) / n),
        // Group commit: the customer units committed per database transaction.
        unitsPerTransaction: round((g.units - g0.units) / Math.max(1, g.transactions - g0.transactions)),
      };
    };
    // Signed before the phase starts: enough for 1.5× the fastest phase so far (at least 6,000).
    let fastest = 0;
    let signedDuring = 0;
    const results: { orders: Measured[]; webhooks: Measured[] } = { orders: [], webhooks: [] };
    for (let r = 0; r < ROUNDS; r++) {
      results.orders.push(await measured(() => load.orders()));
      fastest = Math.max(
        fastest,
        ...results.orders.map((x) => x.perSecond),
        ...results.webhooks.map((x) => x.perSecond),
      );
      await load.presign(Math.max(6000, Math.ceil(fastest * SECONDS * 1.5)));
      const w = await measured(() => load.webhooks());
      signedDuring += w.signedDuring;
      results.webhooks.push(w);
    }
    gcWatch.disconnect();
    await load.close();
    await meta.end();
    // Every accepted delivery has its record once the records written behind are out (0050).
    await services.shopify.idle();
    const counter = new pg.Client({ connectionString: url.toString() });
    await counter.connect();
    const recorded = Number(
      (await counter.query<{ n: string }>('SELECT count(*) AS n FROM shopify_webhooks')).rows[0]?.n,
    );
    await counter.end();
    const o = median(results.orders.map((x) => x.perSecond));
    const w = median(results.webhooks.map((x) => x.perSecond));
    const summary = {
      clients: CLIENTS,
      seconds: SECONDS,
      rounds: ROUNDS,
      ordersPerSecond: o,
      webhooksPerSecond: w,
      ratio: Math.round((w / o) * 100) / 100,
      ordersP50Ms: median(results.orders.map((x) => x.latencyMs.p50)),
      webhooksP50Ms: median(results.webhooks.map((x) => x.latencyMs.p50)),
      webhooksP99Ms: median(results.webhooks.map((x) => x.latencyMs.p99)),
      errors: [...results.orders, ...results.webhooks].reduce((a, x) => a + x.errors, 0),
      webhooksApplied: results.webhooks.reduce((a, x) => a + (x.byStatus.ok ?? 0), 0),
      recorded,
      signedDuring,
      clientsInProcess: Boolean(flags['clients-in-process']),
      payload: flags.payload,
      payloadBytes: Buffer.byteLength(JSON.stringify(example)),
      // Per request, medians of the phases (µs): the service's process and PostgreSQL.
      ordersNodeUs: median(results.orders.map((x) => x.nodeUsPerRequest)),
      webhooksNodeUs: median(results.webhooks.map((x) => x.nodeUsPerRequest)),
      ordersNodeSystemUs: median(results.orders.map((x) => x.nodeSystemUsPerRequest)),
      webhooksNodeSystemUs: median(results.webhooks.map((x) => x.nodeSystemUsPerRequest)),
      ordersGcUs: median(results.orders.map((x) => x.gcUsPerRequest)),
      webhooksGcUs: median(results.webhooks.map((x) => x.gcUsPerRequest)),
      ordersPostgresUs: median(results.orders.map((x) => x.postgresUsPerRequest)),
      webhooksPostgresUs: median(results.webhooks.map((x) => x.postgresUsPerRequest)),
      ordersUnitsPerTransaction: median(results.orders.map((x) => x.unitsPerTransaction)),
      webhooksUnitsPerTransaction: median(results.webhooks.map((x) => x.unitsPerTransaction)),
      perRound: results.orders.map((o, i) => ({
        orders: o.perSecond,
        webhooks: results.webhooks[i]?.perSecond,
        ratio: Math.round(((results.webhooks[i]?.perSecond ?? 0) / o.perSecond) * 100) / 100,
      })),
      sampleErrors: [...results.orders, ...results.webhooks].flatMap((x) => x.sampleErrors).slice(0, 5),
    };
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    server.close();
    // The delivery records written behind (decision 0050) go out before the store closes.
    await services.shopify.close();
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
