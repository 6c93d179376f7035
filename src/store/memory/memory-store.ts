/**
 * The storage port in memory (docs/decisions/0037): every repository of the port over plain Maps,
 * with the port's guarantees kept for real — atomic units of work (an undo log), customer and
 * program locks held until commit, natural keys checked and written in one synchronous step,
 * group commit of customer units, leases judged by a clock. Nothing is durable: it is for tests
 * and tools that run without the scheduler (Agenda needs PostgreSQL).
 */

import type { ProgramScope, ProgramTx, Store } from '../port.js';
import {
  CustomerTxGroups,
  type GroupCommitStats,
  type GroupedUnit,
  type GroupLimits,
  UnitFailed,
} from '../postgres/customer-tx-groups.js';
import { memoryAnalytics } from './memory-analytics.js';
import { memoryArtwork } from './memory-artwork.js';
import { resealCredentials } from './memory-credentials.js';
import {
  memoryCustomers,
  memoryIdempotency,
  memoryLedger,
  memoryOrders,
  memoryOutcomes,
  memoryRefunds,
  memoryTierChanges,
} from './memory-customers.js';
import { MemoryTx } from './memory-db.js';
import { memoryKlaviyo, memoryKlaviyoQueue } from './memory-klaviyo.js';
import { memoryOutbox, memoryOutboxTx } from './memory-outbox.js';
import { deleteProgram, memoryPrivacy } from './memory-privacy.js';
import {
  createProgram,
  findProgramByApiKeyHash,
  listPrograms,
  memoryProgram,
  memoryTiers,
} from './memory-programs.js';
import { memoryRuns } from './memory-runs.js';
import { memoryShopify, memoryShopifyShops } from './memory-shopify.js';
import { memoryShopifyBackfill, memoryShopifyBackfills } from './memory-shopify-backfill.js';
import { memoryShopifyCustomerBatch } from './memory-shopify-customer-batch.js';
import { memoryShopifySegments } from './memory-shopify-segments.js';
import { memoryShopifyWriteBack } from './memory-shopify-write-back.js';
import { MemoryState } from './memory-state.js';
import {
  memoryGoogleWallet,
  memoryPasses,
  memoryPassRegistrations,
  memorySessions,
  memoryWalletHealth,
  programsOfPassDevice,
  sealLegacyPassTokens,
} from './memory-wallet.js';
import { memoryWebhookDispatch, memoryWebhooks, resealWebhookSecrets } from './memory-webhooks.js';

export interface MemoryStoreOptions {
  /** Database time in ms (leases, due times, createdAt); default the real clock. */
  now?: () => number;
  /** Group commit of `customerTransaction` units, as on PostgreSQL; default 2 in flight, 32 per group. */
  customerGroups?: GroupLimits;
}

interface CustomerUnit extends GroupedUnit<unknown> {
  fn(tx: ProgramTx): Promise<unknown>;
}

/** A Store that keeps everything in this process's memory. */
export function createMemoryStore(opts: MemoryStoreOptions = {}): Store {
  const state = new MemoryState(opts.now ?? Date.now);
  const outboxListeners: (() => void)[] = [];
  const webhookListeners: (() => void)[] = [];
  const groupStats: GroupCommitStats = { transactions: 0, units: 0, rerun: 0 };
  const groupsByProgram = new Map<string, CustomerTxGroups<CustomerUnit>>();
  const asked = opts.customerGroups ?? { concurrency: 2, maxSize: 32 };
  const groupLimits: GroupLimits =
    asked.maxSize === 1 ? { maxSize: 1, concurrency: Number.MAX_SAFE_INTEGER } : asked;
  let closed = false;

  /** Run one unit of work: committed when `fn` resolves, every write undone when it throws. */
  async function unit<T>(fn: (tx: MemoryTx) => Promise<T>): Promise<T> {
    if (closed) throw new Error('the store is closed');
    const tx = new MemoryTx(state.locks);
    let result: T;
    try {
      result = await fn(tx);
    } catch (err) {
      tx.rollback();
      tx.release();
      throw err;
    }
    tx.release();
    if (tx.queued) for (const listener of outboxListeners) listener();
    if (tx.delivering) for (const listener of webhookListeners) listener();
    return result;
  }

  function programTx(programId: string, tx: MemoryTx): ProgramTx {
    return {
      programId,
      program: memoryProgram(state, programId, tx),
      tiers: memoryTiers(state, programId, tx),
      customers: memoryCustomers(state, programId, tx),
      tierChanges: memoryTierChanges(state, programId),
      orders: memoryOrders(state, programId, tx),
      refunds: memoryRefunds(state, programId, tx),
      idempotency: memoryIdempotency(state, programId, tx),
      ledger: memoryLedger(state, programId),
      outcomes: memoryOutcomes(state, programId, tx),
      outbox: memoryOutboxTx(state, tx, programId),
    };
  }

  function groupsOf(programId: string): CustomerTxGroups<CustomerUnit> {
    let groups = groupsByProgram.get(programId);
    if (groups === undefined) {
      groups = new CustomerTxGroups<CustomerUnit>(
        groupLimits,
        {
          alone: (u) => unit((tx) => u.fn(programTx(programId, tx))),
          // The units of a group share one unit of work: one fails, all are undone and the
          // others run again (customer-tx-groups.ts), exactly as on PostgreSQL.
          together: (units) =>
            unit(async (tx) => {
              let failed: { index: number; error: unknown } | undefined;
              const settled = await Promise.allSettled(
                units.map((u, index) =>
                  u.fn(programTx(programId, tx)).catch((error: unknown) => {
                    failed ??= { index, error };
                    throw error;
                  }),
                ),
              );
              if (failed !== undefined) throw new UnitFailed(failed.index, failed.error);
              return settled.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
            }),
        },
        groupStats,
        () => {
          if (groupsByProgram.get(programId) === groups) groupsByProgram.delete(programId);
        },
      );
      groupsByProgram.set(programId, groups);
    }
    return groups;
  }

  return {
    createProgram: async (input, apiKeyHash) => createProgram(state, input, apiKeyHash),
    listPrograms: async (mode) => listPrograms(state, mode),
    findProgramByApiKeyHash: async (hash) => findProgramByApiKeyHash(state, hash),
    programsOfPassDevice: async (deviceId) => programsOfPassDevice(state, deviceId),
    sealLegacyPassTokens: async (seal, prefix) => sealLegacyPassTokens(state, seal, prefix),
    resealWebhookSecrets: async (reseal, prefix) => resealWebhookSecrets(state, reseal, prefix),
    resealCredentials: async (reseal, prefix) => resealCredentials(state, reseal, prefix),
    deleteProgram: async (programId) => deleteProgram(state, programId),
    shopifyShops: memoryShopifyShops(state),
    klaviyoQueue: memoryKlaviyoQueue(state),
    shopifyBackfills: memoryShopifyBackfills(state),
    sessions: memorySessions(state),
    outbox: memoryOutbox(state, outboxListeners),
    webhookDeliveries: memoryWebhookDispatch(state, webhookListeners),
    scoped(programId): ProgramScope {
      return {
        programId,
        program: memoryProgram(state, programId, null),
        tiers: memoryTiers(state, programId, null),
        customers: memoryCustomers(state, programId, null),
        orders: memoryOrders(state, programId, null),
        ledger: memoryLedger(state, programId),
        idempotency: memoryIdempotency(state, programId, null),
        tierChanges: memoryTierChanges(state, programId),
        analytics: memoryAnalytics(state, programId),
        runs: memoryRuns(state, programId, unit),
        passes: memoryPasses(state, programId),
        passRegistrations: memoryPassRegistrations(state, programId),
        artwork: memoryArtwork(state, programId),
        webhooks: memoryWebhooks(state, programId, () => {}),
        googleWallet: memoryGoogleWallet(state, programId),
        walletHealth: memoryWalletHealth(state, programId),
        privacy: memoryPrivacy(state, programId, unit),
        shopify: memoryShopify(state, programId),
        shopifyWriteBack: memoryShopifyWriteBack(state, programId),
        klaviyo: memoryKlaviyo(state, programId),
        shopifyBackfill: memoryShopifyBackfill(state, programId),
        shopifyCustomerBatch: memoryShopifyCustomerBatch(state, programId, unit),
        shopifySegments: memoryShopifySegments(state, programId),
        transaction: (fn) => unit((tx) => fn(programTx(programId, tx))),
        customerTransaction<T>(customerId: string, fn: (tx: ProgramTx) => Promise<T>): Promise<T> {
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
      if (closed) throw new Error('the store is closed');
    },
    async close() {
      closed = true;
    },
  };
}

/** Open an in-memory store (the counterpart of `openStore` for tests and tools without PostgreSQL). */
export async function openMemoryStore(opts: MemoryStoreOptions = {}): Promise<Store> {
  return createMemoryStore(opts);
}
