import type { ProgramScope, ProgramTx, Store } from '../port.js';
import { analyticsRepository } from './analytics-repository.js';
import { artworkRepository } from './artwork-repository.js';
import { resealCredentials } from './credential-reseal.js';
import { customerRepository, lockCustomers, type Prelocked } from './customer-repository.js';
import {
  CustomerTxGroups,
  type GroupCommitStats,
  type GroupedUnit,
  type GroupLimits,
  UnitFailed,
} from './customer-tx-groups.js';
import { googleWalletRepository } from './google-wallet-repository.js';
import { idempotencyRepository } from './idempotency-repository.js';
import { klaviyoQueue, klaviyoRepository } from './klaviyo-repository.js';
import { ledgerRepository } from './ledger-repository.js';
import { orderRepository } from './order-repository.js';
import { OrderWriteBatch } from './order-write-batch.js';
import { outboxRepository, outboxTxRepository } from './outbox-repository.js';
import { outcomeRepository } from './outcome-repository.js';
import type { StoreResult } from './outcome-writes.js';
import { passRegistrationRepository, programsOfPassDevice } from './pass-registration-repository.js';
import { passRepository, sealLegacyPassTokens } from './pass-repository.js';
import { deleteProgram, privacyRepository } from './privacy-repository.js';
import {
  findProgramByApiKeyHash,
  insertProgram,
  listPrograms,
  programRepository,
} from './program-repository.js';
import { refundRepository } from './refund-repository.js';
import { runRepository } from './run-repository.js';
import { sessionRepository } from './session-repository.js';
import { shopifyBackfillDirectory, shopifyBackfillRepository } from './shopify-backfill-repository.js';
import { shopifyCustomerBatchRepository } from './shopify-customer-batch-repository.js';
import { shopifyRepository, shopifyShopDirectory } from './shopify-repository.js';
import { shopifySegmentRepository } from './shopify-segment-repository.js';
import { shopifyWriteBackRepository } from './shopify-write-back-repository.js';
import type { SqlDriver, SqlQuery } from './sql-driver.js';
import { tierChangeRepository } from './tier-change-repository.js';
import { TierListCache, type TxTierVersion } from './tier-list-cache.js';
import { tierRepository } from './tier-repository.js';
import { walletHealthRepository } from './wallet-health-repository.js';
import { webhookDispatchRepository } from './webhook-dispatch-repository.js';
import { resealWebhookSecrets, webhookRepository } from './webhook-repository.js';

/** Every repository bound to one program id and one connection or transaction. */
function programTx(
  q: SqlQuery,
  programId: string,
  queued?: () => void,
  webhookQueued?: () => void,
  tierCache?: TierListCache,
  prelocked?: Map<string, Prelocked>,
  batch?: OrderWriteBatch,
): ProgramTx {
  // The tier list version this unit of work read with its customer lock.
  const seen: TxTierVersion = {};
  const orders = orderRepository(q, programId);
  const told = (done: StoreResult) => {
    if (done.queued) queued?.();
    if (done.delivering) webhookQueued?.();
  };
  return {
    programId,
    program: programRepository(q, programId),
    tiers: tierRepository(q, programId, tierCache, seen),
    customers: customerRepository(q, programId, seen, prelocked),
    orders,
    refunds: refundRepository(q, programId),
    idempotency: idempotencyRepository(q, programId),
    ledger: ledgerRepository(q, programId),
    tierChanges: tierChangeRepository(q, programId),
    outcomes: outcomeRepository(q, programId, orders.get, told, batch),
    outbox: outboxTxRepository(q, programId, queued),
  };
}

/**
 * `q` sending one statement at a time, in call order: the units of a group share one connection
 * concurrently, and pg's own queueing of a busy client's queries is deprecated. After a statement
 * fails the transaction is aborted, so later ones fail at once without being sent.
 */
function oneAtATime(q: SqlQuery): SqlQuery {
  let tail: Promise<unknown> = Promise.resolve();
  let aborted = false;
  function next<T>(run: () => Promise<T>): Promise<T> {
    const send = () => {
      if (aborted) throw new Error('an earlier statement of this transaction failed');
      return run().catch((err: unknown) => {
        aborted = true;
        throw err;
      });
    };
    const result = tail.then(send, send);
    tail = result.catch(() => {});
    return result;
  }
  return {
    query: (sql, params) => next(() => q.query(sql, params)),
    exec: (sql) => next(() => q.exec(sql)),
  };
}

/** What the units of one group share in their transaction. */
interface UnitGroupTx {
  /** The transaction's connection, one statement at a time (the units share it concurrently). */
  q: SqlQuery;
  prelocked: Map<string, Prelocked>;
  batch: OrderWriteBatch;
}

/** A unit of `customerTransaction` waiting for its transaction. */
interface CustomerUnit extends GroupedUnit<unknown> {
  fn(tx: ProgramTx): Promise<unknown>;
}

export interface PostgresStoreOptions {
  /**
   * Group commit of `customerTransaction` (customer-tx-groups.ts), per program: transactions in
   * flight at once and units per group. Default 2 and 32; `maxSize: 1` turns grouping off (every unit its own transaction, at once).
   */
  customerGroups?: GroupLimits;
}

/** The Store port on PostgreSQL (server through pg, or embedded PGlite); same SQL on both. */
export function createPostgresStore(driver: SqlDriver, opts: PostgresStoreOptions = {}): Store {
  // Told after a program transaction that queued outbox rows commits.
  const queuedListeners: (() => void)[] = [];
  // Told after a program transaction that queued webhook deliveries commits.
  const webhookListeners: (() => void)[] = [];
  const tierCache = new TierListCache();
  const asked = opts.customerGroups ?? { concurrency: 2, maxSize: 32 };
  // Grouping off (maxSize 1): every unit its own transaction at once; only the pool limits them.
  const groupLimits: GroupLimits =
    asked.maxSize === 1 ? { maxSize: 1, concurrency: Number.MAX_SAFE_INTEGER } : asked;
  const groupsByProgram = new Map<string, CustomerTxGroups<CustomerUnit>>();
  const groupStats: GroupCommitStats = { transactions: 0, units: 0, rerun: 0 };

  /** Run `fn` in one transaction (several, with `prelocked`, share it), then tell the listeners. */
  async function inTransaction<T>(
    programId: string,
    fn: (
      txFor: (group?: UnitGroupTx) => ProgramTx,
      q: SqlQuery,
      told: (done: StoreResult) => void,
    ) => Promise<T>,
  ): Promise<T> {
    let queued = false;
    let webhooksQueued = false;
    const markQueued = () => {
      queued = true;
    };
    const markWebhooksQueued = () => {
      webhooksQueued = true;
    };
    const result = await driver.transaction((q) =>
      fn(
        (group) =>
          programTx(
            group?.q ?? q,
            programId,
            markQueued,
            markWebhooksQueued,
            tierCache,
            group?.prelocked,
            group?.batch,
          ),
        q,
        (done) => {
          if (done.queued) markQueued();
          if (done.delivering) markWebhooksQueued();
        },
      ),
    );
    if (queued) for (const listener of queuedListeners) listener();
    if (webhooksQueued) for (const listener of webhookListeners) listener();
    return result;
  }

  function groupsOf(programId: string): CustomerTxGroups<CustomerUnit> {
    let groups = groupsByProgram.get(programId);
    if (groups === undefined) {
      groups = new CustomerTxGroups<CustomerUnit>(
        groupLimits,
        {
          alone: (unit) => inTransaction(programId, (txFor) => unit.fn(txFor())),
          together: (units) =>
            inTransaction(programId, async (txFor, conn, told) => {
              const q = oneAtATime(conn);
              const prelocked = await lockCustomers(
                q,
                programId,
                units.map((u) => u.customerId),
              );
              // The units run concurrently on the one connection; their order writes go out together.
              const batch = new OrderWriteBatch(q, programId, units.length, told);
              // The first to fail in time: after a failed statement every later one fails too.
              let failed: { index: number; error: unknown } | undefined;
              const settled = await Promise.allSettled(
                units.map((unit, index) =>
                  unit
                    .fn(txFor({ q, prelocked, batch }))
                    .catch((error: unknown) => {
                      failed ??= { index, error };
                      throw error;
                    })
                    .finally(() => {
                      batch.unitDone();
                    }),
                ),
              );
              if (failed !== undefined) throw new UnitFailed(failed.index, failed.error);
              return settled.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
            }),
        },
        groupStats,
        // A program's queue lives while it has work: thousands of quiet programs keep none.
        () => {
          if (groupsByProgram.get(programId) === groups) groupsByProgram.delete(programId);
        },
      );
      groupsByProgram.set(programId, groups);
    }
    return groups;
  }

  return {
    createProgram: (input, apiKeyHash) => insertProgram(driver, input, apiKeyHash),
    findProgramByApiKeyHash: (hash) => findProgramByApiKeyHash(driver, hash),
    listPrograms: (mode) => listPrograms(driver, mode),
    programsOfPassDevice: (deviceId) => programsOfPassDevice(driver, deviceId),
    sealLegacyPassTokens: (seal, sealedPrefix) => sealLegacyPassTokens(driver, seal, sealedPrefix),
    resealWebhookSecrets: (reseal, currentPrefix) => resealWebhookSecrets(driver, reseal, currentPrefix),
    resealCredentials: (reseal, currentPrefix) => resealCredentials(driver, reseal, currentPrefix),
    deleteProgram: (programId) => deleteProgram(driver, programId),
    sessions: sessionRepository(driver),
    outbox: outboxRepository(driver, queuedListeners),
    webhookDeliveries: webhookDispatchRepository(driver, webhookListeners),
    shopifyShops: shopifyShopDirectory(driver),
    klaviyoQueue: klaviyoQueue(driver),
    shopifyBackfills: shopifyBackfillDirectory(driver),
    scoped(programId): ProgramScope {
      const base = programTx(driver, programId, undefined, undefined, tierCache);
      return {
        programId,
        program: base.program,
        tiers: base.tiers,
        customers: base.customers,
        orders: base.orders,
        ledger: base.ledger,
        idempotency: base.idempotency,
        tierChanges: base.tierChanges,
        analytics: analyticsRepository(driver, programId),
        runs: runRepository(driver, programId),
        passes: passRepository(driver, programId),
        passRegistrations: passRegistrationRepository(driver, programId),
        artwork: artworkRepository(driver, programId),
        webhooks: webhookRepository(driver, programId),
        googleWallet: googleWalletRepository(driver, programId),
        walletHealth: walletHealthRepository(driver, programId),
        privacy: privacyRepository(driver, programId, () => {
          for (const listener of queuedListeners) listener();
        }),
        shopify: shopifyRepository(driver, programId),
        shopifyWriteBack: shopifyWriteBackRepository(driver, programId),
        klaviyo: klaviyoRepository(driver, programId),
        shopifyBackfill: shopifyBackfillRepository(driver, programId),
        shopifyCustomerBatch: shopifyCustomerBatchRepository(programId, (fn) =>
          inTransaction(programId, (txFor, q, told) => fn(q, txFor().tiers, told)),
        ),
        shopifySegments: shopifySegmentRepository(driver, programId),
        transaction: (fn) => inTransaction(programId, (txFor) => fn(txFor())),
        async customerTransaction<T>(customerId: string, fn: (tx: ProgramTx) => Promise<T>): Promise<T> {
          return new Promise<T>((resolve, reject) => {
            groupsOf(programId).submit({
              customerId,
              fn,
              resolve: resolve as (value: unknown) => void,
              reject,
            });
          });
        },
      };
    },
    groupCommitStats: () => ({ ...groupStats }),
    async ping() {
      await driver.query('SELECT 1');
    },
    close: () => driver.close(),
  };
}
