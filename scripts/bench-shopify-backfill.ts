/**
 * Shopify backfill benchmark (`npm run bench:shopify-backfill`): a shop's history of N orders
 * (default 100,000) imported from the Shopify stand-in (scripts/lib/shopify-stand-in.ts: every
 * page's document validated against the Admin schema and executed, as in the tests) into the real
 * app in-process on a fresh PostgreSQL database, with its progress polled from the API; then the
 * floors of the same run: the stand-in's page rate alone (reading without applying) and the
 * plain `POST /v1/orders` rate, sequential and with `--concurrency` clients (the backfill applies
 * a page's orders in up to that many customer lanes at once, docs/decisions/0051).
 *
 *   npm run bench:shopify-backfill -- [--orders 100000] [--customers 20000] [--concurrency 32]
 *     [--mode paged|bulk|auto]
 *
 * `--mode` is how the orders phase reads the shop (default `paged`, the rows before 2026-12-06's
 * bulk amendment; `bulk` is one bulk export). Either way the run reports the query points the
 * backfill's documents asked for (the stand-in's `queryCost`, Shopify's requested cost) and what
 * they take at Shopify's restore rates of 100 and 50 points/s: the floor of reading on a real shop.
 *
 * 2 % of orders carry a refund (one line), 1 % are cancelled, 1 % are test orders.
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) is the admin connection;
 * the script creates tierpass_backfill_<ts> there and drops it at the end.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { parse } from 'graphql';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { SecretBox } from '../src/integrations/secrets/secret-box.js';
import { shopifyBulk } from '../src/integrations/shopify/admin-bulk.js';
import { shopifyHistory } from '../src/integrations/shopify/admin-history.js';
import { openDatabase } from '../src/store/open-store.js';
import { queryCost, type StandInCustomer, startShopifyStandIn } from './lib/shopify-stand-in.js';

const ADMIN = 'bench-admin-token-0123456789abcdef';
const { values: flags } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    customers: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    mode: { type: 'string', default: 'paged' },
  },
});
const ORDERS = Number(flags.orders);
const CUSTOMERS = Number(flags.customers);
const CONCURRENCY = Number(flags.concurrency);
const MODE = flags.mode as 'paged' | 'bulk' | 'auto';
if (!['paged', 'bulk', 'auto'].includes(MODE)) throw new Error('--mode is paged, bulk or auto');

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `tierpass_backfill_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const { store } = await openDatabase({ databaseUrl: url.toString(), dataDir: 'memory://' });
  const shop = await startShopifyStandIn({ shop: 'bench-backfill.myshopify.com', currency: 'USD' });
  const { app, services } = buildApp({
    store,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN,
    publicUrl: 'https://tierpass.example.com',
    secrets: new SecretBox([{ id: 'b1', key: randomBytes(32) }]),
    shopify: { origin: () => shop.origin },
    shopifyBackfill: { concurrency: CONCURRENCY, ordersMode: MODE },
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async <T>(auth: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  };
  try {
    const created = await call<{ apiKey: string; program: { id: string } }>(
      `Bearer ${ADMIN}`,
      'POST',
      '/v1/programs',
      {
        name: 'Bench',
        currency: 'USD',
        earning: { pointsPerUnit: 10 },
      },
    );
    const auth = `Bearer ${created.body.apiKey}`;
    for (const [title, minAmount] of [
      ['Bronze', 0],
      ['Silver', 50_000],
      ['Gold', 200_000],
    ] as const) {
      await call(
        auth,
        'POST',
        '/v1/tiers',
        minAmount === 0 ? { title } : { title, qualifications: [{ type: 'lifetimeSpend', minAmount }] },
      );
    }
    const connected = await call(auth, 'PUT', '/v1/integrations/shopify', {
      shopDomain: shop.shop,
      accessToken: shop.accessToken,
      webhookSecret: `shpss_${randomBytes(16).toString('hex')}`,
    });
    if (connected.status !== 200) throw new Error(`connect: ${connected.status}`);

    // The shop's history: customers, then orders over the last 300 days, oldest first.
    const people: StandInCustomer[] = Array.from({ length: CUSTOMERS }, (_, i) => ({
      legacyResourceId: String(7_000_000 + i),
      email: `c${i}@example.com`,
      firstName: 'Bench',
      lastName: `C${i}`,
      tags: i % 7 === 0 ? ['vip'] : [],
      updatedAt: new Date(Date.now() - 100 * 86_400_000).toISOString(),
    }));
    shop.history.customers.push(...people);
    const start = Date.now() - 300 * 86_400_000;
    for (let i = 0; i < ORDERS; i++) {
      const at = new Date(start + Math.floor((i * 299 * 86_400_000) / ORDERS)).toISOString();
      const cents = 1_000 + ((i * 7919) % 20_000);
      const amount = (cents / 100).toFixed(2);
      shop.history.orders.push({
        legacyResourceId: String(9_000_000 + i),
        test: i % 100 === 50,
        processedAt: at,
        createdAt: at,
        cancelledAt: i % 100 === 75 ? at : null,
        displayFinancialStatus: i % 100 === 25 ? 'PARTIALLY_REFUNDED' : i % 100 === 75 ? 'REFUNDED' : 'PAID',
        currency: 'USD',
        subtotal: amount,
        total: amount,
        customer: people[(i * 31) % CUSTOMERS] ?? null,
        refunds:
          i % 50 === 25
            ? [{ legacyResourceId: String(5_000_000 + i), lines: [(cents / 200).toFixed(2)] }]
            : [],
      });
    }
    const since = new Date(start - 86_400_000).toISOString();

    const documentsBefore = shop.documents.length;
    const load0 = loadavg()[0] ?? 0;
    const t0 = performance.now();
    const started = await call<{ state: string }>(auth, 'POST', '/v1/integrations/shopify/backfill', {
      since,
    });
    if (started.status !== 202) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
    let view: {
      state: string;
      phase: string;
      progress: number;
      customers: { done: number };
      orders: { done: number; skipped: number; estimatedTotal: number | null };
      refunds: { done: number };
      errors: { count: number; last: string | null };
    };
    let ordersStartedAt = 0;
    let ordersEndedAt = 0;
    let lastPrint = 0;
    for (;;) {
      // A quarter second: the customers phase of a batched import lasts a few seconds.
      await new Promise((r) => setTimeout(r, 250));
      view = (await call<typeof view>(auth, 'GET', '/v1/integrations/shopify/backfill')).body;
      const now = performance.now();
      if (!ordersStartedAt && view.phase !== 'customers') ordersStartedAt = now;
      if (!ordersEndedAt && (view.phase === 'resync' || view.phase === 'done')) ordersEndedAt = now;
      if (now - lastPrint > 10_000 || view.state === 'done' || view.state === 'failed') {
        lastPrint = now;
        console.log(
          `${((now - t0) / 1000).toFixed(0)} s: ${view.state}/${view.phase} ${(view.progress * 100).toFixed(1)} % — ` +
            `${view.customers.done} customers, ${view.orders.done + view.orders.skipped} of ~${view.orders.estimatedTotal ?? '?'} orders, ` +
            `${view.refunds.done} refunds, ${view.errors.count} errors`,
        );
      }
      if (view.state === 'done' || view.state === 'failed') break;
    }
    const wall = (performance.now() - t0) / 1000;
    // Polled every 250 ms: phase boundaries are known to within a quarter second.
    const customersWall = (ordersStartedAt - t0) / 1000;
    const ordersWall = (ordersEndedAt - ordersStartedAt) / 1000;
    await services.shopifyBackfill.idle();
    // The query points the backfill's reading documents asked for, by operation (write-back's
    // documents, which the bench's program also sends, are not reading).
    const points: Record<string, { documents: number; points: number; actual: number }> = {};
    for (const d of shop.documents.slice(documentsBefore)) {
      const name = /^(?:query|mutation)\s+(\w+)/.exec(d.query)?.[1] ?? 'anonymous';
      if (!/^Tierpass(History|Bulk)/.test(name)) continue;
      const p = points[name] ?? { documents: 0, points: 0, actual: 0 };
      p.documents += 1;
      p.points += queryCost(parse(d.query), d.variables);
      p.actual += d.actualCost ?? 0;
      points[name] = p;
    }
    const totalPoints = Object.values(points).reduce((n, p) => n + p.points, 0);
    const actualPoints = Object.values(points).reduce((n, p) => n + p.actual, 0);

    // Floor 1: the stand-in's page rate, reading every page of orders without applying them.
    const history = shopifyHistory(shop.shop, shop.accessToken, { origin: () => shop.origin });
    const r0 = performance.now();
    let read = 0;
    let after: string | null = null;
    do {
      const page = await history.orders(after, `processed_at:>='${since}'`);
      read += page.items.length;
      after = page.next;
    } while (after);
    const readSeconds = (performance.now() - r0) / 1000;
    // Floor 1b: the stand-in's bulk export alone: started, polled, the file streamed in pages.
    const bulk = shopifyBulk(shop.shop, shop.accessToken, { origin: () => shop.origin });
    const b0 = performance.now();
    let op = await bulk.runOrders(new Date(since));
    while (op.status !== 'COMPLETED') op = (await bulk.operation(op.id)) ?? op;
    let exported = 0;
    for await (const page of bulk.orders(op.url as string, 0)) exported += page.length;
    const exportSeconds = (performance.now() - b0) / 1000;

    // Floor 2: plain `POST /v1/orders` for 20 s each, one at a time and with CONCURRENCY clients.
    let posted = 0;
    const plain = async (clients: number): Promise<number> => {
      let n = 0;
      const p0 = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (performance.now() - p0 < 20_000) {
            const i = posted++;
            const res = await call(auth, 'POST', '/v1/orders', {
              id: `plain-${i}`,
              customerId: people[i % CUSTOMERS]?.legacyResourceId,
              amount: 1_000 + (i % 5_000),
            });
            if (res.status !== 201) throw new Error(`POST /v1/orders: ${res.status}`);
            n += 1;
          }
        }),
      );
      return n / ((performance.now() - p0) / 1000);
    };
    const plainSequential = await plain(1);
    const plainConcurrent = await plain(CONCURRENCY);

    const result = {
      date: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${load0.toFixed(1)} at start`,
      orders: ORDERS,
      customers: CUSTOMERS,
      outcome: view.state,
      counts: {
        orders: view.orders,
        customers: view.customers.done,
        refunds: view.refunds.done,
        errors: view.errors,
      },
      concurrency: CONCURRENCY,
      mode: MODE,
      orderMode: (view as { orders: { mode?: string } }).orders.mode,
      queryPoints: {
        requested: totalPoints,
        actual: actualPoints,
        byOperation: points,
        // Shopify charges the actual cost (the requested one must be available): the floor of
        // reading at a standard (100/s) and a reduced (50/s) restore rate.
        actualSecondsAt100PerSecond: Number((actualPoints / 100).toFixed(0)),
        actualSecondsAt50PerSecond: Number((actualPoints / 50).toFixed(0)),
      },
      wallSeconds: Number(wall.toFixed(1)),
      customersPhaseSeconds: Number(customersWall.toFixed(1)),
      customersPhaseCustomersPerSecond: Number((CUSTOMERS / customersWall).toFixed(0)),
      ordersPhaseSeconds: Number(ordersWall.toFixed(1)),
      ordersPerSecond: Number((ORDERS / wall).toFixed(0)),
      ordersPhaseOrdersPerSecond: Number((ORDERS / ordersWall).toFixed(0)),
      standInPagesOnly: {
        orders: read,
        seconds: Number(readSeconds.toFixed(1)),
        ordersPerSecond: Number((read / readSeconds).toFixed(0)),
      },
      standInBulkExportOnly: {
        orders: exported,
        seconds: Number(exportSeconds.toFixed(1)),
        ordersPerSecond: Number((exported / exportSeconds).toFixed(0)),
      },
      plainSequentialOrdersPerSecond: Number(plainSequential.toFixed(0)),
      plainConcurrentOrdersPerSecond: Number(plainConcurrent.toFixed(0)),
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    server.close();
    await shop.close();
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
