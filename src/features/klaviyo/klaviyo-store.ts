/**
 * What the Klaviyo destination needs of storage (docs/decisions/0036, 0044): the program's
 * connection and its stored events, tier titles for the profile, the program (context of a
 * claimed row), and across programs the Klaviyo rows of the outbox.
 */
import type { KlaviyoQueue, KlaviyoRepository } from '../../store/klaviyo-port.js';
import type { OutboxRepository } from '../../store/outbox-port.js';
import type { CustomerRepository, ProgramRepository, TierRepository } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

export interface KlaviyoScope {
  klaviyo: KlaviyoRepository;
  program: Pick<ProgramRepository, 'get'>;
  tiers: Pick<TierRepository, 'titles'>;
  /** The profile sync reads customers a job at a time (0052). */
  customers: Pick<CustomerRepository, 'getMany'>;
}

export type KlaviyoStore = ScopedStore<KlaviyoScope>;

/** The worker's side: claims in order per customer, done / retry as for every outbox kind. */
export interface KlaviyoOutbox {
  klaviyoQueue: KlaviyoQueue;
  outbox: Pick<OutboxRepository, 'done' | 'retry' | 'onQueued'>;
}
