import type { ProgramScope, ProgramTx, Store } from '../port.js';
import { analyticsRepository } from './analytics-repository.js';
import { artworkRepository } from './artwork-repository.js';
import { customerRepository } from './customer-repository.js';
import { googleWalletRepository } from './google-wallet-repository.js';
import { idempotencyRepository } from './idempotency-repository.js';
import { ledgerRepository } from './ledger-repository.js';
import { orderRepository } from './order-repository.js';
import { outboxRepository, outboxTxRepository } from './outbox-repository.js';
import { passRegistrationRepository, programsOfPassDevice } from './pass-registration-repository.js';
import { passRepository } from './pass-repository.js';
import {
  findProgramByApiKeyHash,
  insertProgram,
  listPrograms,
  programRepository,
} from './program-repository.js';
import { refundRepository } from './refund-repository.js';
import { runRepository } from './run-repository.js';
import type { SqlDriver, SqlQuery } from './sql-driver.js';
import { tierChangeRepository } from './tier-change-repository.js';
import { TierListCache, type TxTierVersion } from './tier-list-cache.js';
import { tierRepository } from './tier-repository.js';
import { webhookDispatchRepository } from './webhook-dispatch-repository.js';
import { webhookTxRepository } from './webhook-emit.js';
import { webhookRepository } from './webhook-repository.js';

/** Every repository bound to one program id and one connection or transaction. */
function programTx(
  q: SqlQuery,
  programId: string,
  queued?: () => void,
  webhookQueued?: () => void,
  tierCache?: TierListCache,
): ProgramTx {
  // The tier list version this unit of work read with its customer lock.
  const seen: TxTierVersion = {};
  return {
    programId,
    program: programRepository(q, programId),
    tiers: tierRepository(q, programId, tierCache, seen),
    customers: customerRepository(q, programId, seen),
    orders: orderRepository(q, programId, queued),
    refunds: refundRepository(q, programId),
    idempotency: idempotencyRepository(q, programId),
    ledger: ledgerRepository(q, programId, queued),
    tierChanges: tierChangeRepository(q, programId),
    outbox: outboxTxRepository(q, programId, queued),
    webhooks: webhookTxRepository(q, programId, webhookQueued),
  };
}

/** The Store port on PostgreSQL (server through pg, or embedded PGlite); same SQL on both. */
export function createPostgresStore(driver: SqlDriver): Store {
  // Told after a program transaction that queued outbox rows commits.
  const queuedListeners: (() => void)[] = [];
  // Told after a program transaction that queued webhook deliveries commits.
  const webhookListeners: (() => void)[] = [];
  const tierCache = new TierListCache();
  return {
    createProgram: (input, apiKeyHash) => insertProgram(driver, input, apiKeyHash),
    findProgramByApiKeyHash: (hash) => findProgramByApiKeyHash(driver, hash),
    listPrograms: (mode) => listPrograms(driver, mode),
    programsOfPassDevice: (deviceId) => programsOfPassDevice(driver, deviceId),
    outbox: outboxRepository(driver, queuedListeners),
    webhookDeliveries: webhookDispatchRepository(driver, webhookListeners),
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
        async transaction(fn) {
          let queued = false;
          let webhooksQueued = false;
          const result = await driver.transaction((q) =>
            fn(
              programTx(
                q,
                programId,
                () => {
                  queued = true;
                },
                () => {
                  webhooksQueued = true;
                },
                tierCache,
              ),
            ),
          );
          if (queued) for (const listener of queuedListeners) listener();
          if (webhooksQueued) for (const listener of webhookListeners) listener();
          return result;
        },
      };
    },
    async ping() {
      await driver.query('SELECT 1');
    },
    close: () => driver.close(),
  };
}
