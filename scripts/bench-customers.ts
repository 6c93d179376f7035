/**
 * Customer search benchmark (`npm run bench:customers`, issue 12 "Benchmarks"; results in
 * BENCHMARKS.md, decision 0030):
 *
 *   npm run bench:customers -- [--customers 1000000] [--requests 300] [--loads 7] [--no-build] [--keep]
 *
 * 1. A fresh PostgreSQL database (migrations applied by the store), one program with three tiers
 *    made through the API, then `--customers` customers inserted set-based (generate_series):
 *    names from 60 first × 60 last names, emails `first.last<n>@<domain>`, tiers 60/30/10 %,
 *    creation times over two years. VACUUM ANALYZE, as autovacuum leaves a table at rest.
 * 2. Over the real HTTP API with the API key (the service in this process on 127.0.0.1, one
 *    request at a time): `--requests` searches each for an email prefix, a name prefix and a tier
 *    filter (the console's page of 25), with varied prefixes and, for the tier filter, positions
 *    all over the list (a cursor at a random customer id). p50/p95/max.
 * 3. Floors in the same run: `SELECT 1` round trips through `pg`, `GET /v1/program` over HTTP
 *    (auth and routing with one indexed read), and the email-prefix query with index scans
 *    turned off (what the indexes save).
 * 4. The console customers page in Debian's chromium (headless, playwright-core), signed in:
 *    `--loads` full loads of /console/customers, each timed from navigation start to the first
 *    customer row in the DOM (a MutationObserver installed before the page's scripts).
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) is the admin connection:
 * the script creates tierpass_customers_<ts> there and drops it at the end (--keep keeps it).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { encodeCustomerCursor } from '../src/features/customers/customer-search-schemas.js';
import { openStore } from '../src/store/open-store.js';
import { apiCaller, buildConsoleBundle, listenLocally, signedInConsolePage } from './lib/console-bench.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'console/dist');
const ADMIN = 'bench-admin-token-0123456789abcdef';
const { values: flags } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '300' },
    loads: { type: 'string', default: '7' },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const CUSTOMERS = Number(flags.customers);
const REQUESTS = Number(flags.requests);
const LOADS = Number(flags.loads);
const log = (msg: string) => console.log(`[bench:customers] ${msg}`);

const FIRST = `Olivia Liam Emma Noah Amelia Oliver Ava Elijah Sophia Lucas Isabella Mateo Mia Levi Charlotte
  Asher Luna James Evelyn Leo Harper Ethan Gianna Sebastian Aurora Jack Ella Ezra Ellie Luca Nora Hudson
  Hazel Henry Chloe Theo Riley Kai Layla Jayden Zoe Aiden Lily Owen Mila Samuel Nova Grayson Isla Wyatt
  Anna Daniel Sofia Ana Maya Omar Yuki Ingrid Lars Fatima`
  .split(/\s+/)
  .slice(0, 60);
const LAST =
  `Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
  Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez
  Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker
  Hall Rivera Campbell Mitchell Carter Roberts Schmidt Muller Rossi Dubois Tanaka Kowalski Jensen Silva
  Novak Berg`
    .split(/\s+/)
    .slice(0, 60);
const DOMAINS = ['example.com', 'mail.test', 'shop.example', 'inbox.test'];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}
function summary(xs: number[]) {
  return {
    n: xs.length,
    p50: +pct(xs, 50).toFixed(2),
    p95: +pct(xs, 95).toFixed(2),
    max: +Math.max(...xs).toFixed(2),
  };
}
const show = (s: ReturnType<typeof summary>) =>
  `p50 ${s.p50} ms, p95 ${s.p95} ms, max ${s.max} ms (n=${s.n})`;

/** A deterministic pseudo-random sequence (same prefixes in every run). */
function rng(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

async function seed(db: pg.Client, programId: string, tierIds: string[]): Promise<number> {
  const t0 = performance.now();
  const sqlList = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]`;
  await db.query('SET session_replication_role = replica');
  // One statement; the names come from i so they are spread evenly and reproducibly.
  await db.query(
    `WITH f AS (SELECT ${sqlList(FIRST)} AS first, ${sqlList(LAST)} AS last, ${sqlList(DOMAINS)} AS dom),
     g AS (
       SELECT i, f.first[1 + (i * 7) % ${FIRST.length}] AS fn, f.last[1 + (i * 13 / 7) % ${LAST.length}] AS ln,
         f.dom[1 + i % ${DOMAINS.length}] AS dm, (hashint4(i) & 2147483647) % 100 AS r,
         timestamptz '2025-01-01' + (i::double precision / $2) * interval '700 days' AS created
       FROM generate_series(1, $2::int) i, f
     )
     INSERT INTO customers (program_id, id, email, name, tier_id, current, carry, lifetime_earned, lifetime_spend,
       carry_since, tier_since, created_at, updated_at)
     SELECT $1, 'cust-' || i, lower(fn || '.' || ln || i || '@' || dm), fn || ' ' || ln,
       CASE WHEN r < 60 THEN $3 WHEN r < 90 THEN $4 ELSE $5 END,
       r * 37, r * 11, r * 53, r * 997, created, created, created, created
     FROM g`,
    [programId, CUSTOMERS, tierIds[0], tierIds[1], tierIds[2]],
  );
  await db.query('SET session_replication_role = origin');
  const inserted = performance.now() - t0;
  await db.query('VACUUM ANALYZE customers');
  log(`seeded ${CUSTOMERS} customers in ${(inserted / 1000).toFixed(1)} s (+ VACUUM ANALYZE)`);
  return inserted;
}

async function main(): Promise<void> {
  if (!flags['no-build']) buildConsoleBundle(ROOT);
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `tierpass_customers_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const store = await openStore({ databaseUrl: url.toString(), dataDir: 'memory://' });
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  let server: Server | undefined;
  try {
    const { app } = buildApp({
      store,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      adminToken: ADMIN,
      consoleDir: DIST,
    });
    const listening = await listenLocally(app);
    server = listening.server;
    const { origin } = listening;
    const call = apiCaller(origin);
    const created = await call('POST', '/v1/programs', ADMIN, { name: 'Bench shop', currency: 'USD' });
    const key = created.apiKey as string;
    const programId = (created.program as { id: string }).id;
    const tierIds: string[] = [];
    for (const [title, minPoints] of [
      ['Bronze', 0],
      ['Silver', 1000],
      ['Gold', 5000],
    ] as const) {
      const q = minPoints ? [{ type: 'lifetimePoints', minPoints }] : [];
      tierIds.push((await call('POST', '/v1/tiers', key, { title, qualifications: q })).id as string);
    }
    const seedMs = await seed(db, programId, tierIds);

    // Floors.
    const selectOne: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      await db.query('SELECT 1');
      selectOne.push(performance.now() - t);
    }
    const timed = async (path: string) => {
      const t = performance.now();
      const res = await fetch(`${origin}${path}`, { headers: { Authorization: `Bearer ${key}` } });
      const body = (await res.json()) as { data?: unknown[] };
      const ms = performance.now() - t;
      if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
      return { ms, rows: body.data?.length ?? 0 };
    };
    const programRead: number[] = [];
    for (let i = 0; i < 300; i++) programRead.push((await timed('/v1/program')).ms);

    // Searches, warm: the first 20 of each kind are not counted. Prefixes are cut from random
    // customers' own emails and names (3 characters up to the first letters of the last name),
    // so they are as varied as the data; tier pages start at a random position of the list.
    const r = rng(42);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
    const { rows: sample } = await db.query<{ email: string; name: string }>(
      `SELECT email, name FROM customers WHERE program_id = $1 AND id = ANY($2::text[])`,
      [programId, Array.from({ length: 500 }, () => `cust-${1 + Math.floor(r() * CUSTOMERS)}`)],
    );
    const cut = (text: string) => {
      const gap = text.search(/[ .]/);
      const to = gap < 0 ? text.length : gap + 3; // up to two letters past the first name
      return text.slice(0, 3 + Math.floor(r() * Math.max(1, to - 2)));
    };
    const emailPrefix = () => cut(pick(sample).email);
    const namePrefix = () => cut(pick(sample).name);
    const tierQuery = () => {
      const cursor = encodeCustomerCursor({ sort: 'id', key: [`cust-${1 + Math.floor(r() * CUSTOMERS)}`] });
      return `tier=${pick(tierIds)}&cursor=${cursor}`;
    };
    const kinds = {
      email: () => `query=${encodeURIComponent(emailPrefix())}`,
      name: () => `query=${encodeURIComponent(namePrefix())}`,
      tier: tierQuery,
    };
    const results: Record<string, ReturnType<typeof summary> & { emptyPages: number }> = {};
    for (const [kind, query] of Object.entries(kinds)) {
      const ms: number[] = [];
      let empty = 0;
      for (let i = 0; i < REQUESTS + 20; i++) {
        const t = await timed(`/v1/customers?limit=25&${query()}`);
        if (i < 20) continue;
        ms.push(t.ms);
        if (t.rows === 0) empty += 1;
      }
      results[kind] = { ...summary(ms), emptyPages: empty };
      log(`search by ${kind}: ${show(results[kind])}, empty pages ${empty}`);
    }

    // What the indexes save: the email-prefix statement with index scans off (a few samples).
    const unindexed: number[] = [];
    const sql = `SELECT id FROM customers WHERE program_id = $1
      AND (lower(id) LIKE $2 OR lower(email) LIKE $2 OR lower(name) LIKE $2) ORDER BY id LIMIT 26`;
    await db.query('SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off');
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await db.query(sql, [programId, `${emailPrefix()}%`]);
      unindexed.push(performance.now() - t);
    }
    await db.query('RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan');
    const plan = await db.query(`EXPLAIN (ANALYZE, COSTS OFF) ${sql}`, [programId, 'olivia.sm%']);

    // The console: first rows of /console/customers.
    const page = await signedInConsolePage(browser, origin, key);
    await page.addInitScript(`(() => {
      new MutationObserver((_, obs) => {
        if (document.querySelector('.customer-table tbody tr')) {
          window.__firstRows = performance.now();
          obs.disconnect();
        }
      }).observe(document, { subtree: true, childList: true });
    })()`);
    const loads: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      await page.goto(`${origin}/console/customers`);
      await page.waitForFunction('window.__firstRows !== undefined');
      loads.push(await page.evaluate<number>('window.__firstRows'));
    }
    const firstRows = summary(loads);
    log(`console first rows: ${show(firstRows)}`);

    const uptime = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
    const out = {
      date: new Date().toISOString(),
      machine: `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}, ${browser.version()}`,
      load: uptime,
      customers: CUSTOMERS,
      seedSeconds: +(seedMs / 1000).toFixed(1),
      floors: {
        selectOne: summary(selectOne),
        getProgram: summary(programRead),
        emailPrefixWithoutIndexes: summary(unindexed),
      },
      search: results,
      consoleFirstRows: firstRows,
      plan: plan.rows.map((p) => p['QUERY PLAN']).join('\n'),
    };
    console.log(JSON.stringify(out, null, 2));
    await mkdir(join(ROOT, 'bench-results'), { recursive: true });
    await writeFile(
      join(ROOT, `bench-results/customers-${out.date.slice(0, 10)}.json`),
      JSON.stringify(out, null, 2),
    );
  } finally {
    await browser.close();
    server?.close();
    await store.close();
    await db.end();
    if (!flags.keep) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    else log(`kept database ${dbName}`);
    await admin.end();
  }
}

await main();
