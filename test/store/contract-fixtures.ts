import { randomUUID } from 'node:crypto';
import type { Balances, NewTierChange, ProgramSettings, TierPlacement } from '../../src/domain/types.js';
import type { WebhookEventType } from '../../src/domain/webhook-event-types.js';
import type { NewWebhookEvent } from '../../src/domain/webhook-events.js';
import type { OutcomeToStore } from '../../src/store/outcome-port.js';
import type { NewLedgerEntry, ProgramScope, ProgramTx, Store, TierInput } from '../../src/store/port.js';

/** Gives each contract section the store opened by the suite's beforeAll. */
export type StoreRef = () => Store;

export const settings: ProgramSettings = {
  tiersEnabled: true,
  currency: 'USD',
  timezone: 'America/New_York',
  earning: { pointsPerUnit: 10 },
  retention: { mode: 'continuous' },
};

export const T0 = new Date('2025-03-01T12:00:00.000Z');

/** `minutes` after T0. */
export function at(minutes: number): Date {
  return new Date(T0.getTime() + minutes * 60_000);
}

export function uid(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

/** A fresh program (tests share the database, never a program) and its scope. */
export async function newProgram(store: Store, mode: 'live' | 'test' = 'live'): Promise<ProgramScope> {
  const program = await store.createProgram(
    { name: uid('Shop'), mode, settings, clockNow: mode === 'test' ? T0 : null, now: T0 },
    uid('keyhash'),
  );
  return store.scoped(program.id);
}

export function tierInput(title: string, overrides: Partial<TierInput> = {}): TierInput {
  return {
    title,
    icon: null,
    visible: true,
    enabled: true,
    qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }],
    maintain: null,
    benefits: { multiplier: 1.5, rewards: ['Free shipping'] },
    design: { backgroundColor: '#112233' },
    ...overrides,
  };
}

export const ZERO: Balances = { current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 };

/** An earn-like entry; `delta` defaults to zero for the balances not given. */
export function entry(
  key: string,
  delta: Partial<Balances>,
  overrides: Partial<NewLedgerEntry> = {},
): NewLedgerEntry {
  return {
    type: 'earn',
    key,
    orderId: null,
    base: null,
    multiplier: null,
    points: delta.current ?? 0,
    delta: { ...ZERO, ...delta },
    reason: null,
    tierId: null,
    at: T0,
    ...overrides,
  };
}

/** Creates a customer in its own transaction and returns its id. */
export async function newCustomer(scope: ProgramScope, id = uid('cus')): Promise<string> {
  await scope.transaction((tx) => tx.customers.upsert(id, { email: `${id}@example.com` }, T0));
  return id;
}

/** An outcome to store (outcome-port.ts) with nothing but `parts`: what fixtures write directly. */
export function outcome(customerId: string, parts: Partial<OutcomeToStore> = {}): OutcomeToStore {
  const entries = parts.entries ?? [];
  const latest = entries.reduce((t, e) => Math.max(t, e.at.getTime()), 0);
  return {
    customerId,
    at: parts.at ?? new Date(latest),
    entries,
    placement: null,
    change: null,
    events: [],
    cycleClosedAt: null,
    passes: [],
    ...parts,
  };
}

/** Store entries only (no pass refresh, no events) and return the customer's balances after them. */
export async function appendEntries(
  tx: Pick<ProgramTx, 'outcomes' | 'customers'>,
  customerId: string,
  entries: NewLedgerEntry[],
): Promise<Balances> {
  await tx.outcomes.store(outcome(customerId, { entries }));
  const c = await tx.customers.get(customerId);
  if (!c) throw new Error(`customer ${customerId} not found`);
  return c.balances;
}

/** A webhook subscription of `scope` to `events`, enabled; returns its id. */
export async function subscribe(scope: ProgramScope, events: WebhookEventType[]): Promise<string> {
  const id = uid('wh');
  await scope.webhooks.create({
    id,
    url: 'https://example.com/hook',
    events,
    format: 'standard',
    secret: uid('secret'),
    now: T0,
  });
  return id;
}

/** Store a tier placement of one customer (as an outcome that moves nothing else). */
export function placeCustomer(
  tx: Pick<ProgramTx, 'outcomes'>,
  customerId: string,
  placement: TierPlacement,
  at: Date,
): Promise<void> {
  return tx.outcomes.store(outcome(customerId, { at, placement }));
}

/** Record one tier change (as an outcome that moves nothing else). */
export function recordChange(tx: Pick<ProgramTx, 'outcomes'>, change: NewTierChange): Promise<void> {
  return tx.outcomes.store(outcome(change.customerId, { change }));
}

/** Store webhook events as outcomes that carry nothing else, one per customer, in order. */
export async function emitEvents(
  tx: Pick<ProgramTx, 'outcomes'>,
  events: readonly NewWebhookEvent[],
): Promise<void> {
  const byCustomer = new Map<string, NewWebhookEvent[]>();
  for (const e of events) byCustomer.set(e.customerId, [...(byCustomer.get(e.customerId) ?? []), e]);
  for (const [customerId, list] of byCustomer) {
    await tx.outcomes.store(outcome(customerId, { at: list[0]?.at ?? new Date(0), events: list }));
  }
}
