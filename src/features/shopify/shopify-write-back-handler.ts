/**
 * The outbox worker's handler of `shopify_customer_changed` rows (docs/decisions/0045): reads the
 * customer's current state and writes its tier tags and metafields to the connected shop. State
 * based: however many changes queued a customer, one write carries the latest values, and one
 * customer is written at a time in this process, so writes never land out of order. Throttling
 * and outages are retried with backoff (never given up); a revoked token or a customer the shop
 * does not know is permanent: counted and kept as the last error (GET
 * /v1/integrations/shopify/write-back).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { SecretSealer } from '../../integrations/secrets/secret-box.js';
import {
  CUSTOMER_WRITE_KIND,
  type ShopifyCustomerWriter,
  ShopifyWriteError,
} from '../../integrations/shopify/customer-writer.js';
import type { OutboxItem, OutboxRepository } from '../../store/outbox-port.js';
import type {
  CustomerRepository,
  OrderRepository,
  ProgramRepository,
  TierRepository,
} from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';
import type { ShopifyRepository } from '../../store/shopify-port.js';
import type { ShopifyWriteBackRepository } from '../../store/shopify-write-back-port.js';
import type { OutboxHandler, OutboxRun } from '../outbox/outbox-handler.js';
import type { RetryPolicy } from '../outbox/retry-policy.js';
import { walletView } from '../passes/wallet-view.js';
import { programNow } from '../programs/program-context.js';
import { SHOPIFY_TOKEN_CONTEXT } from './shopify-credentials.js';
import { customerWrite } from './shopify-write-back.js';

/** What the handler reads and records. */
export interface ShopifyWriteBackScope {
  shopify: Pick<ShopifyRepository, 'get'>;
  shopifyWriteBack: ShopifyWriteBackRepository;
  program: Pick<ProgramRepository, 'get'>;
  customers: Pick<CustomerRepository, 'get'>;
  tiers: Pick<TierRepository, 'list'>;
  orders: Pick<OrderRepository, 'summary'>;
}

export interface ShopifyWriteBackHandlerDeps {
  store: ScopedStore<ShopifyWriteBackScope> & { outbox: OutboxRepository };
  /** Opens the connection's sealed access token. */
  secrets: SecretSealer;
  /** A writer for one shop and token. */
  writer: (shop: string, accessToken: string) => ShopifyCustomerWriter;
  clock: Clock;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** First retry delay, doubled per attempt up to an hour (default 1 s; tests shorten it). */
  retryBaseMs?: number;
  /** Customers written at once (default 2: a shop's bucket is shared by all its writes). */
  concurrency?: number;
  /**
   * Each shop's cost bucket as its answers report it (ShopifyCostBuckets, which the writers
   * feed): a write waits until the bucket affords it instead of being throttled (0051). Without
   * it writes go at once and react to THROTTLED answers.
   */
  pacing?: { take(shop: string, kind: string): number };
}

const BATCH = 50;
const LEASE_MS = 2 * 60_000;
/** A customer already being written here: its newer row waits this long. */
const IN_FLIGHT_DELAY_MS = 500;
/**
 * Pacing waits in the batch at most this long in all, well inside the claim's lease; a write
 * that would wait past it is handed back, due when the bucket will afford it.
 */
const PACE_BUDGET_MS = LEASE_MS / 4;

/** A write the shop's bucket cannot afford within the batch's budget: due again in `delayMs`. */
class Paced extends Error {
  constructor(readonly delayMs: number) {
    super('paced: the shop’s cost bucket is low');
  }
}

/** What one dispatch did. */
export interface ShopifyWriteBackReport {
  /** Customers written to their shop. */
  synced: number;
  /** Customers postponed: throttled, shop unreachable, or already in flight. */
  retried: number;
  /** Customers given up: token revoked, customer not in the shop. */
  failed: number;
  /** Rows dropped: no connection, write-back off, customer gone. */
  skipped: number;
}

type Run = OutboxRun<ShopifyWriteBackReport, unknown>;

export class ShopifyWriteBackHandler implements OutboxHandler<OutboxItem, ShopifyWriteBackReport> {
  readonly label = 'Shopify write-back';
  readonly batchSize = BATCH;
  readonly retry: RetryPolicy;
  /** `program\0customer` being written by this process. */
  private readonly inFlight = new Set<string>();

  constructor(private readonly deps: ShopifyWriteBackHandlerDeps) {
    // Never given up while retryable: a throttled or unreachable shop is tried again, at most hourly.
    this.retry = { baseMs: deps.retryBaseMs ?? 1000, maxMs: 3_600_000 };
  }

  classify(err: unknown): 'retry' | 'permanent' {
    return err instanceof ShopifyWriteError && !err.retryable ? 'permanent' : 'retry';
  }

  newReport(): ShopifyWriteBackReport {
    return { synced: 0, retried: 0, failed: 0, skipped: 0 };
  }

  claim(limit: number): Promise<OutboxItem[]> {
    return this.deps.store.outbox.claim('shopify_customer_changed', limit, LEASE_MS);
  }

  onQueued(listener: () => void): void {
    this.deps.store.outbox.onQueued(listener);
  }

  async handle(items: OutboxItem[], run: Run): Promise<void> {
    // Real elapsed time, as the claim's lease runs (a test clock may stand still).
    const deadline = performance.now() + PACE_BUDGET_MS;
    // One write per customer however many rows queued it.
    const byCustomer = new Map<string, OutboxItem[]>();
    for (const item of items) {
      const key = `${item.programId}\0${item.customerId}`;
      byCustomer.set(key, [...(byCustomer.get(key) ?? []), item]);
    }
    const groups = [...byCustomer.entries()];
    const lanes = Math.min(this.deps.concurrency ?? 2, groups.length);
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let g = groups.shift(); g; g = groups.shift()) await this.deliver(g[0], g[1], run, deadline);
      }),
    );
  }

  private async deliver(key: string, group: OutboxItem[], run: Run, deadline: number): Promise<void> {
    const { outbox } = this.deps.store;
    const ids = group.map((i) => i.id);
    if (this.inFlight.has(key)) {
      // Another dispatch lane is writing this customer: write again after it, with the latest state.
      run.report.retried += 1;
      return outbox.retry(ids, IN_FLIGHT_DELAY_MS);
    }
    this.inFlight.add(key);
    try {
      await this.write(group, run, deadline);
    } finally {
      this.inFlight.delete(key);
    }
  }

  /**
   * Wait until the shop's bucket affords a write (the points are then reserved), or throw
   * `Paced` when that is past the batch's deadline.
   */
  private async pace(shop: string, deadline: number): Promise<void> {
    const pacing = this.deps.pacing;
    if (!pacing) return;
    for (;;) {
      const wait = pacing.take(shop, CUSTOMER_WRITE_KIND);
      if (wait === 0) return;
      if (performance.now() + wait > deadline) throw new Paced(wait);
      await sleep(wait);
    }
  }

  private async write(group: OutboxItem[], run: Run, deadline: number): Promise<void> {
    const { store, clock, logger } = this.deps;
    const { report } = run;
    const { programId, customerId } = group[0] as OutboxItem;
    const ids = group.map((i) => i.id);
    const scope = store.scoped(programId);
    try {
      const [connection, setting, customer] = await Promise.all([
        scope.shopify.get(),
        scope.shopifyWriteBack.get(),
        scope.customers.get(customerId),
      ]);
      if (connection?.state !== 'connected' || !setting.enabled || !customer) {
        report.skipped += 1;
        return await store.outbox.done(ids);
      }
      const [program, tiers] = await Promise.all([scope.program.get(), scope.tiers.list()]);
      const view = await walletView(
        { program, now: programNow(program, clock) },
        scope.orders,
        customer,
        tiers,
      );
      const token = this.openToken(connection.accessTokenSealed, programId);
      await this.pace(connection.shopDomain, deadline);
      await this.deps.writer(connection.shopDomain, token).write(customerWrite(customer, tiers, view));
      report.synced += 1;
      await store.outbox.done(ids);
      await scope.shopifyWriteBack.recordSynced(1, clock.now());
    } catch (err) {
      if (err instanceof Paced) {
        // Not a failure: no attempt counted, due when the bucket will afford the write.
        report.retried += 1;
        return await store.outbox.retry(ids, err.delayMs);
      }
      const message = err instanceof Error ? err.message : String(err);
      const attempts = Math.max(...group.map((i) => i.attempts)) + 1;
      const decision = run.decide(err, attempts);
      if (!decision.retry) {
        report.failed += 1;
        const code = err instanceof ShopifyWriteError ? err.code : 'shopify_write_failed';
        logger.error(
          { programId, customerId, code, error: message, attempts },
          'Shopify write-back given up',
        );
        await scope.shopifyWriteBack.recordFailed(code, message, clock.now());
        await store.outbox.retry(ids, 0, message);
        await store.outbox.done(ids);
        return;
      }
      report.retried += 1;
      // Shopify says how long the bucket needs to refill (or Retry-After): never sooner than that.
      const wait = err instanceof ShopifyWriteError ? (err.retryAfterMs ?? 0) : 0;
      const delayMs = Math.max(decision.delayMs, wait);
      logger.warn(
        { programId, customerId, error: message, attempts, delayMs },
        'Shopify write-back will be retried',
      );
      await store.outbox.retry(ids, delayMs, message);
    }
  }

  private openToken(sealed: string, programId: string): string {
    try {
      return this.deps.secrets.open(sealed, SHOPIFY_TOKEN_CONTEXT(programId));
    } catch {
      // The key that sealed it is gone (SECRETS_KEYS lost): no retry brings it back.
      throw new ShopifyWriteError(
        'shopify_credentials_unreadable',
        'The stored access token no longer opens; connect the store again',
        undefined,
      );
    }
  }
}
