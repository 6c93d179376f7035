/**
 * Webhook benchmark (`npm run bench:webhooks`): the real app in-process on a fresh PostgreSQL
 * database, the real outbox worker with its WebhookDeliveryHandler and node:http sender, and a receiver on 127.0.0.1.
 *
 *   npm run bench:webhooks -- [--customers 1000] [--per-customer 5] [--runs 3] [--samples 200]
 *
 * Measures:
 * 1. throughput: `--customers` × `--per-customer` pending deliveries (events seeded in SQL as the
 *    emit statement writes them), drained by `dispatcher.dispatch()` → deliveries/s, median of
 *    `--runs`. The receiver checks every customer's events arrive in order and counts each once.
 * 2. tier change → webhook received: customers upgraded one at a time by `POST /v1/orders` over
 *    HTTP with the dispatcher kicked after each commit (as main.ts runs it); latency from sending
 *    the order to the receiver getting the `tier.upgraded` request; p50/p95/p99 of `--samples`.
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) is the admin connection;
 * the script creates tierpass_webhooks_<ts> there and drops it at the end.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { openDatabase } from '../src/store/open-store.js';

const ADMIN = 'bench-admin-token-0123456789abcdef';
const { values: flags } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000' },
    'per-customer': { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    samples: { type: 'string', default: '200' },
  },
});
const CUSTOMERS = Number(flags.customers);
const PER_CUSTOMER = Number(flags['per-customer']);
const RUNS = Number(flags.runs);
const SAMPLES = Number(flags.samples);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}
const median = (xs: number[]) => pct(xs, 50);
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** Receiver: answers 200 at once, records arrival per event and the per-customer sequence. */
function startReceiver() {
  const lastSeq = new Map<string, number>();
  const seen = new Set<string>();
  const arrivals = new Map<string, (at: number, body: { data: { to?: { title: string } } }) => void>();
  let count = 0;
  let outOfOrder = 0;
  let duplicates = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString());
      count += 1;
      if (seen.has(body.id)) duplicates += 1;
      seen.add(body.id);
      const customer = body.data.customer?.id as string;
      if (typeof body.data.seq === 'number') {
        if ((lastSeq.get(customer) ?? -1) >= body.data.seq) outOfOrder += 1;
        lastSeq.set(customer, body.data.seq);
      }
      arrivals.get(customer)?.(at, body);
      res.writeHead(200).end();
    });
  });
  return {
    server,
    arrivals,
    stats: () => ({ count, outOfOrder, duplicates }),
    reset() {
      lastSeq.clear();
      seen.clear();
      count = 0;
      outOfOrder = 0;
      duplicates = 0;
    },
  };
}

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `tierpass_webhooks_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const logger = pino({ level: 'silent' });
  const { store } = await openDatabase({ databaseUrl: url.toString(), dataDir: 'memory://' });
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  const receiver = startReceiver();
  await new Promise<void>((r) => receiver.server.listen(0, '127.0.0.1', () => r()));
  const hookUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hooks`;
  const { app, services } = buildApp({
    store,
    clock: systemClock,
    logger,
    adminToken: ADMIN,
    webhooks: { policy: { allowLoopback: true, allowPrivate: false }, dispatchOnCommit: true },
  });
  const listening = app.listen(0, '127.0.0.1');
  await new Promise((r) => listening.once('listening', r));
  const port = (listening.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const call = (method: string, path: string, auth: string, body?: unknown) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: { Authorization: auth, 'Content-Type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  const json = (r: { status: number; body: string }, expected: number) => {
    if (r.status !== expected) throw new Error(`HTTP ${r.status}: ${r.body}`);
    return r.body ? JSON.parse(r.body) : undefined;
  };
  try {
    const p = json(
      await call('POST', '/v1/programs', `Bearer ${ADMIN}`, {
        name: 'Bench',
        currency: 'USD',
        earning: { pointsPerUnit: 10 },
      }),
      201,
    );
    const key = `Bearer ${p.apiKey}`;
    const programId = p.program.id as string;
    json(await call('POST', '/v1/tiers', key, { title: 'Bronze' }), 201);
    json(
      await call('POST', '/v1/tiers', key, {
        title: 'Gold',
        qualifications: [{ type: 'lifetimePoints', minPoints: 3000 }],
      }),
      201,
    );
    const sub = json(
      await call('POST', '/v1/webhooks', key, { url: hookUrl, events: ['tier.upgraded'] }),
      201,
    );

    // 1. Throughput.
    const total = CUSTOMERS * PER_CUSTOMER;
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      receiver.reset();
      await db.query(
        `WITH e AS (
           INSERT INTO webhook_events (program_id, id, customer_id, type, data, occurred_at)
           SELECT $1, 'evt_' || $4 || '_' || i, 'b' || (i % $3), 'tier.upgraded',
             jsonb_build_object('customer', jsonb_build_object('id', 'b' || (i % $3), 'email', NULL),
               'seq', i / $3, 'to', jsonb_build_object('id', 'gold', 'title', 'Gold')), now()
           FROM generate_series(0, $5 - 1) i ORDER BY i
           RETURNING id, customer_id)
         INSERT INTO webhook_deliveries (program_id, subscription_id, event_id, customer_id, state, due_at)
         SELECT $1, $2, id, customer_id, 'pending', now() FROM e ORDER BY split_part(id, '_', 3)::int`,
        [programId, sub.id, CUSTOMERS, `r${run}`, total],
      );
      const started = performance.now();
      const report = await services.webhookDispatcher.dispatch();
      const seconds = (performance.now() - started) / 1000;
      const stats = receiver.stats();
      if (
        report.delivered !== total ||
        stats.count !== total ||
        stats.outOfOrder > 0 ||
        stats.duplicates > 0
      ) {
        throw new Error(`run ${run}: ${JSON.stringify({ report, stats, total })}`);
      }
      rates.push(total / seconds);
      console.log(
        `throughput run ${run + 1}: ${total} deliveries in ${seconds.toFixed(2)} s → ${(total / seconds).toFixed(0)}/s`,
      );
    }

    // 2. Tier change → webhook received.
    receiver.reset();
    const latencies: number[] = [];
    const responses: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const customerId = `l${i}`;
      json(await call('PUT', `/v1/customers/${customerId}`, key, {}), 201);
      let arrived: (at: number) => void = () => {};
      const got = new Promise<number>((resolve) => {
        arrived = resolve;
      });
      const sent = performance.now();
      receiver.arrivals.set(customerId, (at, body) => {
        if (body.data.to?.title === 'Gold') arrived(at);
      });
      json(await call('POST', '/v1/orders', key, { id: `o-${i}`, customerId, amount: 30_000 }), 201);
      responses.push(performance.now() - sent);
      const timeout = new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error('no webhook in 10 s')), 10_000),
      );
      latencies.push(
        (await Promise.race([got, timeout]).catch(async (err) => {
          console.error(
            (
              await db.query(
                'SELECT d.*, e.type, e.data FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.customer_id = $1',
                [customerId],
              )
            ).rows,
          );
          throw err;
        })) - sent,
      );
      receiver.arrivals.delete(customerId);
    }

    const load = os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    console.log('\nresults');
    console.log(
      `  machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, load ${load}`,
    );
    console.log(
      `  throughput: median ${median(rates).toFixed(0)} deliveries/s (runs: ${rates.map((r) => r.toFixed(0)).join(', ')}; ${CUSTOMERS} customers × ${PER_CUSTOMER} in order)`,
    );
    console.log(
      `  order → webhook received: p50 ${ms(median(latencies))}, p95 ${ms(pct(latencies, 95))}, p99 ${ms(pct(latencies, 99))}, max ${ms(Math.max(...latencies))} (${SAMPLES} samples)`,
    );
    console.log(`  order HTTP response: p50 ${ms(median(responses))}, p95 ${ms(pct(responses, 95))}`);
  } finally {
    agent.destroy();
    listening.close();
    receiver.server.close();
    services.webhookSender.close();
    await db.end();
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
