/** The storage the Google Wallet feature needs (docs/decisions/0036). */
import type { ArtworkRepository } from '../../store/artwork-port.js';
import type { GoogleWalletRepository } from '../../store/google-wallet-port.js';
import type { OutboxRepository } from '../../store/outbox-port.js';
import type { CustomerRepository, ProgramRepository, TierRepository } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

/** One program's Google Wallet objects and classes, and what their content is made of. */
export interface GoogleWalletScope {
  program: Pick<ProgramRepository, 'get'>;
  customers: Pick<CustomerRepository, 'get'>;
  tiers: Pick<TierRepository, 'list'>;
  googleWallet: GoogleWalletRepository;
  /** The public image route serves artwork variants. */
  artwork: Pick<ArtworkRepository, 'variant'>;
}

export type GoogleWalletStore = ScopedStore<GoogleWalletScope>;

/** The outbox as the object handler sees it: its kind's rows across programs. */
export interface GoogleWalletOutbox {
  outbox: Pick<OutboxRepository, 'claim' | 'onQueued' | 'done' | 'retry'>;
}
