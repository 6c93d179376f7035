/** The storage the artwork feature needs (docs/decisions/0036). */
import type { ArtworkRepository } from '../../store/artwork-port.js';
import type { OutboxTxRepository } from '../../store/outbox-port.js';
import type { TierRepository } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

/** What a write of artwork queues: the pass updates of the passes showing it. */
export interface ArtworkTx {
  outbox: Pick<OutboxTxRepository, 'passesChanged'>;
}

/** One program's artwork slots, and its tiers to check an owner exists. */
export interface ArtworkScope {
  tiers: Pick<TierRepository, 'get'>;
  artwork: Pick<
    ArtworkRepository,
    'list' | 'get' | 'findByHash' | 'generation' | 'put' | 'copy' | 'remove' | 'variant'
  >;
  transaction<T>(fn: (tx: ArtworkTx) => Promise<T>): Promise<T>;
}

export type ArtworkStore = ScopedStore<ArtworkScope>;
