/** Programs, tiers and customers for recalculation run tests, written through the store port. */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { ProgramSettings, Qualification, TierBenefits } from '../../src/domain/types.js';
import {
  type RecalculationDeps,
  RecalculationService,
} from '../../src/features/recalculation/recalculation-service.js';
import { openStore } from '../../src/store/open-store.js';
import type { NewLedgerEntry, ProgramScope, Store, TierChangeRecord } from '../../src/store/port.js';
import { appendEntries, outcome } from '../store/contract-fixtures.js';
import { testDatabaseUrl } from '../support/db.js';

/** Before every boundary the tests use. */
export const T0 = new Date('2025-01-15T12:00:00.000Z');
/** Quarter boundaries of a P3M cycle anchored 2025-01-01 in America/New_York. */
export const Q2 = new Date('2025-04-01T04:00:00.000Z');
export const Q3 = new Date('2025-07-01T04:00:00.000Z');
export const Q4 = new Date('2025-10-01T04:00:00.000Z');

export const cycleSettings: ProgramSettings = {
  tiersEnabled: true,
  currency: 'USD',
  timezone: 'America/New_York',
  earning: { pointsPerUnit: 10 },
  retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } },
};

export function openPgStore(): Promise<Store> {
  return openStore({ databaseUrl: testDatabaseUrl(), dataDir: 'memory://' });
}

export function service(store: Store, extra: Partial<RecalculationDeps> = {}): RecalculationService {
  return new RecalculationService({ store, logger: pino({ level: 'silent' }), ...extra });
}

export function uid(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

/** A fresh program with these settings. */
export async function newProgram(
  store: Store,
  settings: Partial<ProgramSettings> = {},
): Promise<ProgramScope> {
  const program = await store.createProgram(
    { name: uid('Shop'), mode: 'live', settings: { ...cycleSettings, ...settings }, clockNow: null, now: T0 },
    uid('keyhash'),
  );
  return store.scoped(program.id);
}

export interface TierSpec {
  /** Default none: an entry tier. */
  qualifications?: Qualification[];
  /** Default null: the qualifications. */
  maintain?: Qualification[] | null;
  /** Default none. */
  benefits?: TierBenefits;
  /** Default true. */
  enabled?: boolean;
}

/** Create a tier on top of the existing ones; returns its id. */
export async function addTier(scope: ProgramScope, title: string, spec: TierSpec = {}): Promise<string> {
  const id = `${title.toLowerCase()}_${randomUUID().slice(0, 6)}`;
  await scope.tiers.create(
    id,
    {
      title,
      icon: null,
      visible: true,
      enabled: spec.enabled ?? true,
      qualifications: spec.qualifications ?? [],
      maintain: spec.maintain ?? null,
      benefits: spec.benefits ?? {},
      design: {},
    },
    T0,
  );
  return id;
}

export interface CustomerSpec {
  /** Default a random id. */
  id?: string;
  /** Placement; left unset when undefined. */
  tierId?: string | null;
  /** Qualifying points earned in the current cycle (also lifetime). */
  carry?: number;
  /** Lifetime points on top of `carry`. */
  earlier?: number;
  /** Orders (spend only: their points are in `carry`/`earlier`). */
  orders?: { amount: number; placedAt: Date }[];
  /** Default T0. */
  createdAt?: Date;
  /** Last tier change; default the creation. */
  tierSince?: Date;
}

/** One customer seeded in one transaction: earn entry (balances = ledger), orders, placement. */
export async function seedCustomer(scope: ProgramScope, spec: CustomerSpec = {}): Promise<string> {
  const id = spec.id ?? uid('cus');
  const at = spec.createdAt ?? T0;
  await scope.transaction(async (tx) => {
    await tx.customers.upsert(id, { email: `${id}@example.com` }, at);
    const carry = spec.carry ?? 0;
    const lifetime = carry + (spec.earlier ?? 0);
    const spend = (spec.orders ?? []).reduce((s, o) => s + o.amount, 0);
    if (lifetime > 0 || spend > 0)
      await appendEntries(tx, id, [earnEntry(`seed:${id}`, lifetime, carry, spend, at)]);
    for (const [i, o] of (spec.orders ?? []).entries()) {
      await tx.orders.insert({
        id: `${id}-o${i}`,
        customerId: id,
        amount: o.amount,
        placedAt: o.placedAt,
        earnedAt: o.placedAt,
        pointsAwarded: 0,
        requestHash: 'seed',
        response: {},
      });
    }
    if (spec.tierId !== undefined) {
      const since = spec.tierSince ?? at;
      await tx.outcomes.store(
        outcome(id, {
          at: since,
          placement: {
            tierId: spec.tierId,
            tierTags: [],
            tierSince: since,
            lastChangeReason: null,
            bonusedTierIds: [],
          },
        }),
      );
    }
  });
  return id;
}

/** A qualifying earn: `points` lifetime, `carry` of them in the current cycle. */
export function earnEntry(
  key: string,
  points: number,
  carry: number,
  spend: number,
  at: Date,
): NewLedgerEntry {
  return {
    type: 'earn',
    key,
    orderId: null,
    base: points,
    multiplier: '1',
    points,
    delta: { current: points, carry, lifetimeEarned: points, lifetimeSpend: spend },
    reason: 'seed',
    tierId: null,
    at,
  };
}

/** Earn `points` of carry now (between boundaries). */
export async function earn(scope: ProgramScope, customerId: string, points: number, at: Date): Promise<void> {
  await scope.transaction((tx) =>
    appendEntries(tx, customerId, [earnEntry(uid('earn'), points, points, 0, at)]),
  );
}

/** Every tier change of a customer, oldest first. */
export async function changesOf(scope: ProgramScope, customerId: string): Promise<TierChangeRecord[]> {
  return (await scope.tierChanges.list(customerId, { limit: 100 })).items.reverse();
}

/** Carry reset entries of a customer. */
export async function carryResetsOf(scope: ProgramScope, customerId: string) {
  return (await scope.ledger.list(customerId, { limit: 100 })).items.filter((e) => e.type === 'carry_reset');
}

/** Balances equal the ledger's sum for every customer given. */
export async function expectBalancesMatchLedger(scope: ProgramScope, ids: string[]): Promise<void> {
  for (const id of ids) {
    const customer = await scope.customers.get(id);
    expect({ id, balances: await scope.ledger.sum(id) }).toEqual({ id, balances: customer?.balances });
  }
}

/** `n` customers in one transaction, ids `<prefix>-0000…`, all in `tierId` with `carry`. */
export async function seedMany(
  scope: ProgramScope,
  n: number,
  spec: { prefix: string; tierId: string; carry: number },
): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${spec.prefix}-${String(i).padStart(5, '0')}`);
  await scope.transaction(async (tx) => {
    for (const id of ids) {
      await tx.customers.upsert(id, {}, T0);
      await appendEntries(tx, id, [earnEntry(`seed:${id}`, spec.carry, spec.carry, 0, T0)]);
      await tx.outcomes.store(
        outcome(id, {
          at: T0,
          placement: {
            tierId: spec.tierId,
            tierTags: [],
            tierSince: T0,
            lastChangeReason: null,
            bonusedTierIds: [],
          },
        }),
      );
    }
  });
  return ids;
}
