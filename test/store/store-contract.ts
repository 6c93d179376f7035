import type { Store } from '../../src/store/port.js';
import { analyticsContract } from './contract-analytics.js';
import { artworkContract } from './contract-artwork.js';
import { customerOrderContract } from './contract-customers-orders.js';
import { groupCommitContract } from './contract-group-commit.js';
import { klaviyoContract } from './contract-klaviyo.js';
import { ledgerContract } from './contract-ledger.js';
import { operationsContract } from './contract-operations.js';
import { outboxContract } from './contract-outbox.js';
import { outcomeContract } from './contract-outcomes.js';
import { passContract } from './contract-passes.js';
import { privacyContract } from './contract-privacy.js';
import { programContract } from './contract-programs.js';
import { readContract } from './contract-reads.js';
import { runContract } from './contract-runs.js';
import { sessionContract } from './contract-sessions.js';
import { shopifyContract } from './contract-shopify.js';
import { shopifyBackfillContract } from './contract-shopify-backfill.js';
import { shopifyCustomerBatchContract } from './contract-shopify-customer-batch.js';
import { shopifySegmentContract } from './contract-shopify-segments.js';
import { shopifyWriteBackContract } from './contract-shopify-write-back.js';
import { tierContract } from './contract-tiers.js';
import { transactionContract } from './contract-transactions.js';
import { walletContract } from './contract-wallet.js';
import { webhookContract } from './contract-webhooks.js';

/**
 * The storage port's contract: every adapter runs this suite against a freshly opened
 * store. Tests create their own programs, so a shared database is fine; claims across programs
 * (outbox, webhook deliveries) keep only their own programs' rows.
 *
 * The tests use only the port's interfaces (no SQL, no adapter internals), so any adapter runs
 * them unchanged. Which file covers each method of the port (src/store/port.ts, *-port.ts):
 *
 * Store
 *   createProgram, findProgramByApiKeyHash, scoped, ping ... contract-programs
 *   listPrograms ............................................ contract-reads
 *   programsOfPassDevice .................................... contract-wallet
 *   sealLegacyPassTokens .................................... contract-wallet (derived tokens only:
 *                                                             the port cannot write a legacy one)
 *   resealWebhookSecrets .................................... contract-webhooks
 *   sessions.create / find / revoke ......................... contract-sessions
 *   outbox.claim / done / retry / retryEach / onQueued ...... contract-outbox
 *   outbox.lastPushAges / recordPushes ...................... contract-outbox, contract-wallet
 *   outbox.recordPushCounts ................................. contract-operations
 *   webhookDeliveries.claim / complete ...................... contract-outbox, contract-webhooks
 *   webhookDeliveries.onQueued .............................. contract-webhooks
 *   deleteProgram ........................................... contract-privacy
 *   shopifyShops.find ....................................... contract-shopify
 *   shopifyBackfills.orphaned ............................... contract-shopify-backfill
 *   groupCommitStats ........................................ contract-group-commit
 *   close ................................................... every suite's afterAll
 * ProgramScope / ProgramTx
 *   transaction ............................................. contract-transactions
 *   customerTransaction ..................................... contract-group-commit
 *   program.get / update / setClock / lock .................. contract-programs
 *   program.schedule / setSchedule / clearResync ............ contract-reads
 *   program.passDesign / setPassDesign ...................... contract-reads
 *   tiers.list / get / create / update / remove / reorder ... contract-tiers
 *   tiers.titles ............................................ contract-reads
 *   customers.get / upsert / lock ........................... contract-customers-orders
 *   customers.getMany / search .............................. contract-reads
 *   orders.get / insert / updateRefunded .................... contract-customers-orders
 *   orders.summary / listByCustomer / refundsOf ............. contract-reads
 *   refunds.get / insert .................................... contract-customers-orders
 *   idempotency.get / insert ................................ contract-customers-orders
 *   ledger.list / sum ....................................... contract-ledger
 *   ledger.ofOrder .......................................... contract-reads
 *   tierChanges.list ........................................ contract-reads, contract-runs
 *   outbox.passesChanged (tx) ............................... contract-wallet
 *   outcomes.store / storeWithOrder (tx) .................... contract-outcomes (entries, balances,
 *                                                             placement, change, closed cycle, pass
 *                                                             refreshes, events); also the way
 *                                                             every other file writes fixtures
 *   analytics.* (customerFacts, distributionNow/At, movements, earnings, tierNames)
 *                                                             contract-analytics
 *   runs.create / get / listUnfinished / listOrphaned ....... contract-runs
 *   runs.claim / release / finish ........................... contract-runs
 *   runs.list ............................................... contract-operations (order, filters,
 *                                                             cursor), contract-runs (counts)
 *   runs.process ............................................ contract-runs, its BatchWork block
 *   passes.get / getBySerial / ensure / setUpdateTag(s) / updatedSince
 *                                                             contract-passes
 *   passRegistrations.register / unregister / serialsOfDevice / devicesOfSerial / pushTargets /
 *     removePushToken(s) .................................... contract-wallet
 *   artwork.* (list, get, findByHash, generation, put, copy, remove, variant(s), preview,
 *     putPreview) ........................................... contract-artwork
 *   webhooks.create / list / get / remove / enable / rotateSecret / deliveries / redeliver /
 *     ping .................................................. contract-webhooks
 *   googleWallet.* (classHash, setClassHash, object, ensureObject, recordSync, recordError,
 *     takeNotification) ..................................... contract-outbox
 *   privacy.passesOf / googleObjectOf / webhookEventsOf / redactedAt / redactCustomer
 *                                                             contract-privacy
 *   walletHealth.counts ..................................... contract-wallet (pushes:
 *                                                             contract-operations)
 *   shopify.* (get, save, update, remove, receive, processed, webhook, pending, byTopic)
 *                                                             contract-shopify
 *   shopifyWriteBack.* (get, setEnabled, recordSynced, recordFailed); the outcome writes'
 *     shopify_customer_changed rows ......................... contract-shopify-write-back
 *   klaviyo.* (get, save, setState, remove, events), klaviyoQueue.claim
 *                                                             contract-klaviyo
 *   shopifyBackfill.* (get, start, claim, update) ........... contract-shopify-backfill
 *   shopifyCustomerBatch.writePage .......................... contract-shopify-customer-batch
 *   shopifySegments.* (list, save, retain, members, setMembers, sync, startSync, updateSync)
 *                                                             contract-shopify-segments
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store | undefined;
    const ref = (): Store => {
      if (!store) throw new Error('store not opened');
      return store;
    };
    // Generous: opening an in-memory PGlite runs initdb in WebAssembly, which overran 30 s on a
    // busy 2-core machine.
    beforeAll(async () => {
      store = await open();
    }, 180_000);
    afterAll(async () => {
      await store?.close();
    });

    programContract(ref);
    tierContract(ref);
    customerOrderContract(ref);
    ledgerContract(ref);
    transactionContract(ref);
    groupCommitContract(ref);
    analyticsContract(ref);
    artworkContract(ref);
    passContract(ref);
    sessionContract(ref);
    operationsContract(ref);
    outboxContract(ref);
    klaviyoContract(ref);
    outcomeContract(ref);
    readContract(ref);
    runContract(ref);
    webhookContract(ref);
    walletContract(ref);
    privacyContract(ref);
    shopifyContract(ref);
    shopifyWriteBackContract(ref);
    shopifyBackfillContract(ref);
    shopifyCustomerBatchContract(ref);
    shopifySegmentContract(ref);
  });
}
