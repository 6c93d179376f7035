/**
 * The storage the passes feature needs (docs/decisions/0036): pass identities and device
 * registrations, what a pass shows (customer, tiers, order facts, design, artwork), and the
 * outbox of Apple pushes.
 */
import type { ProgramContext } from '../../program-context.js';
import type { ArtworkRepository } from '../../store/artwork-port.js';
import type { OutboxRepository, OutboxTxRepository } from '../../store/outbox-port.js';
import type { PassRepository } from '../../store/pass-port.js';
import type { PassRegistrationRepository } from '../../store/pass-registration-port.js';
import type {
  CustomerRepository,
  OrderRepository,
  ProgramRepository,
  Store,
  TierRepository,
} from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

/** What changing the program's design writes: the design, and an update of every pass. */
export interface PassesTx {
  program: Pick<ProgramRepository, 'setPassDesign'>;
  outbox: Pick<OutboxTxRepository, 'passesChanged'>;
}

/** One program's passes and what they show. */
export interface PassesScope {
  program: Pick<ProgramRepository, 'get' | 'passDesign'>;
  customers: Pick<CustomerRepository, 'get' | 'getMany'>;
  tiers: Pick<TierRepository, 'list'>;
  /** The order summary behind a customer's progress line. */
  orders: Pick<OrderRepository, 'summary'>;
  passes: Pick<
    PassRepository,
    'get' | 'getBySerial' | 'ensure' | 'setUpdateTag' | 'setUpdateTags' | 'updatedSince'
  >;
  passRegistrations: Pick<
    PassRegistrationRepository,
    'register' | 'unregister' | 'serialsOfDevice' | 'pushTargets' | 'removePushTokens'
  >;
  artwork: Pick<ArtworkRepository, 'list' | 'variant' | 'variants' | 'preview' | 'putPreview'>;
  transaction<T>(fn: (tx: PassesTx) => Promise<T>): Promise<T>;
}

export type PassesStore = ScopedStore<PassesScope>;

/**
 * What the passes feature reaches across programs: the programs of a PassKit device (its id is
 * global), the start-up sealing of legacy tokens, and the Apple push rows of the outbox.
 */
export interface PassesGlobalStore extends Pick<Store, 'programsOfPassDevice' | 'sealLegacyPassTokens'> {
  outbox: Pick<
    OutboxRepository,
    'claim' | 'onQueued' | 'done' | 'retryEach' | 'lastPushAges' | 'recordPushes' | 'recordPushCounts'
  >;
}

const scopes = new WeakMap<ProgramContext, WeakMap<PassesStore, PassesScope>>();

/**
 * The scope of `ctx`'s program, made once per context and store: the lifetime `ctx.scope` had
 * (one request, one push batch). `scoped()` builds the adapter's repositories afresh each time
 * (about 8 µs on PostgreSQL), and a pass build reaches the scope from several places — from
 * every pass of a push batch.
 */
export function scopeOf(store: PassesStore, ctx: ProgramContext): PassesScope {
  let byStore = scopes.get(ctx);
  if (!byStore) {
    byStore = new WeakMap();
    scopes.set(ctx, byStore);
  }
  let scope = byStore.get(store);
  if (!scope) {
    scope = store.scoped(ctx.program.id);
    byStore.set(store, scope);
  }
  return scope;
}
