import type { Store } from '../../src/store/port.js';
import { analyticsContract } from './contract-analytics.js';
import { artworkContract } from './contract-artwork.js';
import { customerOrderContract } from './contract-customers-orders.js';
import { groupCommitContract } from './contract-group-commit.js';
import { ledgerContract } from './contract-ledger.js';
import { operationsContract } from './contract-operations.js';
import { outboxContract } from './contract-outbox.js';
import { passContract } from './contract-passes.js';
import { programContract } from './contract-programs.js';
import { readContract } from './contract-reads.js';
import { runContract } from './contract-runs.js';
import { sessionContract } from './contract-sessions.js';
import { tierContract } from './contract-tiers.js';
import { transactionContract } from './contract-transactions.js';
import { walletContract } from './contract-wallet.js';
import { webhookContract } from './contract-webhooks.js';

/**
 * The storage port's contract: every adapter runs this suite against a freshly opened
 * store. Tests create their own programs, so a shared database is fine.
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
    readContract(ref);
    runContract(ref);
    webhookContract(ref);
    walletContract(ref);
  });
}
