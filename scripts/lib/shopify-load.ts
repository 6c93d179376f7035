/**
 * The two loads of `npm run bench:shopify`: plain `POST /v1/orders` and signed `orders/paid`
 * deliveries, C keep-alive clients each. They run in this process or, by default, in a child
 * process (`clientsInChild`), as Shopify's deliveries come from outside the service: then the
 * service's process spends nothing on the clients (in-process, a webhook's client writes 12 KB
 * through loopback on the service's own thread where an order's writes ≈ 100 bytes, so the two
 * phases were not charged alike).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { closedLoop, type LoadResult } from './closed-loop.js';
import { LeanConnection } from './lean-http.js';

export interface ShopifyLoadConfig {
  port: number;
  clients: number;
  seconds: number;
  customers: number;
  /** `Bearer …` of the program's API key. */
  auth: string;
  shop: string;
  /** The app's webhook signing secret. */
  secret: string;
  /** The `orders/paid` body each delivery is made from (its ids, amount and customer replaced). */
  example: Record<string, unknown>;
}

export interface ShopifyLoad {
  orders(): Promise<LoadResult>;
  /** Sign `n` deliveries ahead of the next webhook phase (as Shopify signs on its side). */
  presign(n: number): Promise<void>;
  webhooks(): Promise<LoadResult & { signedDuring: number }>;
  close(): Promise<void>;
}

async function localLoad(cfg: ShopifyLoadConfig): Promise<ShopifyLoad> {
  const conns = await Promise.all(
    Array.from({ length: cfg.clients }, () => LeanConnection.open('127.0.0.1', cfg.port)),
  );
  let nextOrder = 1;
  const customerOf = (n: number) => 1_000_000 + (n % cfg.customers);
  /** A signed delivery of order `n`, as Shopify would send it. */
  const signed = (n: number) => {
    const amount = (1000 + (n % 5000)) / 100;
    const money = { amount: amount.toFixed(2), currency_code: 'USD' };
    const set = { shop_money: money, presentment_money: money };
    const body = JSON.stringify({
      ...cfg.example,
      id: 5_000_000_000 + n,
      test: false,
      subtotal_price: money.amount,
      subtotal_price_set: set,
      total_price_set: set,
      customer: { ...(cfg.example.customer as object), id: customerOf(n) },
    });
    return { n, body, hmac: createHmac('sha256', cfg.secret).update(body).digest('base64') };
  };
  const ready: ReturnType<typeof signed>[] = [];
  return {
    orders: () =>
      closedLoop(cfg.clients, cfg.seconds, async (c) => {
        const n = nextOrder++;
        const body = JSON.stringify({
          id: `o${n}`,
          customerId: String(customerOf(n)),
          amount: 1000 + (n % 5000),
        });
        const res = await conns[c]!.send(
          'POST',
          '/v1/orders',
          `host: 127.0.0.1\r\nauthorization: ${cfg.auth}\r\ncontent-type: application/json\r\n`,
          body,
        );
        return res.status === 201 ? 'ok' : `http ${res.status}`;
      }),
    async presign(n) {
      while (ready.length < n) ready.push(signed(nextOrder++));
    },
    async webhooks() {
      // One made on the fly is counted: it charges the phase the client's stringify and HMAC.
      let signedDuring = 0;
      const result = await closedLoop(cfg.clients, cfg.seconds, async (c) => {
        let w = ready.pop();
        if (!w) {
          signedDuring++;
          w = signed(nextOrder++);
        }
        const res = await conns[c]!.send(
          'POST',
          '/shopify/webhooks',
          `host: 127.0.0.1\r\ncontent-type: application/json\r\nx-shopify-topic: orders/paid\r\nx-shopify-hmac-sha256: ${w.hmac}\r\nx-shopify-shop-domain: ${cfg.shop}\r\nx-shopify-webhook-id: bench-${w.n}\r\n`,
          w.body,
        );
        if (res.status !== 200) return `http ${res.status}`;
        return res.body.includes('"result":"applied"') ? 'ok' : 'not-applied';
      });
      return { ...result, signedDuring };
    },
    async close() {
      for (const c of conns) c.close();
    },
  };
}

type Request =
  | { id: number; op: 'orders' }
  | { id: number; op: 'presign'; n: number }
  | { id: number; op: 'webhooks' }
  | { id: number; op: 'close' };
type Ask =
  | { op: 'orders' }
  | { op: 'presign'; n: number }
  | { op: 'webhooks' }
  | { op: 'close' }
  | { op: 'ready' };

/** The load in a child process, driven over IPC (one phase at a time). */
async function childLoad(cfg: ShopifyLoadConfig): Promise<ShopifyLoad> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--shopify-load-child'], {
    env: { ...process.env, SHOPIFY_LOAD_CONFIG: JSON.stringify(cfg) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let seq = 0;
  child.on('message', (m: { id: number; result?: unknown }) => {
    pending.get(m.id)?.resolve(m.result);
    pending.delete(m.id);
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`the load process exited (${code})`));
    pending.clear();
  });
  const ask = <T>(req: Ask): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...req, id });
    });
  await ask({ op: 'ready' });
  return {
    orders: () => ask({ op: 'orders' }),
    presign: (n) => ask({ op: 'presign', n }),
    webhooks: () => ask({ op: 'webhooks' }),
    async close() {
      await ask({ op: 'close' });
      child.disconnect();
    },
  };
}

export function shopifyLoad(cfg: ShopifyLoadConfig, inChild: boolean): Promise<ShopifyLoad> {
  return inChild ? childLoad(cfg) : localLoad(cfg);
}

if (process.argv.includes('--shopify-load-child')) {
  const cfg = JSON.parse(process.env.SHOPIFY_LOAD_CONFIG ?? '{}') as ShopifyLoadConfig;
  const load = await localLoad(cfg);
  process.on('message', async (m: Request | { id: number; op: 'ready' }) => {
    let result: unknown = null;
    if (m.op === 'orders') result = await load.orders();
    else if (m.op === 'presign') await load.presign(m.n);
    else if (m.op === 'webhooks') result = await load.webhooks();
    else if (m.op === 'close') await load.close();
    process.send?.({ id: m.id, result });
  });
}
