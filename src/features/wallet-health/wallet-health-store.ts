/** The storage the wallet health panel needs (docs/decisions/0036): one read of counts. */
import type { ScopedStore } from '../../store/scoped-store.js';
import type { WalletHealthRepository } from '../../store/wallet-health-port.js';

export interface WalletHealthScope {
  walletHealth: Pick<WalletHealthRepository, 'counts'>;
}

export type WalletHealthStore = ScopedStore<WalletHealthScope>;
