/** Privacy reads, the erasure of a customer and a program's deletion on the in-memory adapter (0043). */
import type { PrivacyRepository, ProgramDeletion } from '../privacy-port.js';
import { copy, customerLock, put, writeLock } from './memory-db.js';
import { queueRefresh } from './memory-outbox.js';
import type { UnitRunner } from './memory-runs.js';
import type { MemoryState } from './memory-state.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A person object with its personal keys erased (only keys present are touched). */
function redactPerson(j: unknown): unknown {
  if (!isObject(j)) return j;
  const out: Json = { ...j };
  if ('email' in out) out.email = null;
  if ('name' in out) out.name = null;
  if ('tags' in out) out.tags = [];
  return out;
}

function hasPerson(j: unknown): boolean {
  return (
    isObject(j) &&
    ((j.email ?? null) !== null || (j.name ?? null) !== null || (Array.isArray(j.tags) && j.tags.length > 0))
  );
}

function responseHasPerson(j: unknown): boolean {
  if (!isObject(j)) return false;
  return (
    hasPerson(j.customer) ||
    (Array.isArray(j.entries) && j.entries.some((e) => isObject(e) && (e.reason ?? null) !== null))
  );
}

/** A stored API response with its customer's personal keys and its entries' reasons erased. */
function redactResponse(j: unknown): unknown {
  if (!isObject(j)) return j;
  const out: Json = { ...j };
  if (isObject(j.customer)) out.customer = redactPerson(j.customer);
  if (Array.isArray(j.entries)) {
    out.entries = j.entries.map((e) => (isObject(e) && 'reason' in e ? { ...e, reason: null } : e));
  }
  return out;
}

function redactEvent(type: string, data: Json): Json {
  const out = redactPerson(data) as Json;
  if (type === 'customer.tags_changed') Object.assign(out, { added: [], removed: [] });
  if (isObject(data.customer)) out.customer = redactPerson(data.customer);
  return out;
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const t = typeof at === 'string' ? Date.parse(at) : Number.NaN;
    if (Number.isNaN(t) || typeof id !== 'string') throw new Error('bad cursor');
    return { at: t, id };
  } catch {
    throw new RangeError('invalid cursor');
  }
}

export function memoryPrivacy(state: MemoryState, programId: string, unit: UnitRunner): PrivacyRepository {
  return {
    async passesOf(customerId) {
      const p = state.maybe(programId);
      const pass = p?.passes.get(customerId);
      if (!p || !pass) return [];
      const registrations = [...p.registrations.values()]
        .filter((r) => r.serial === pass.serial)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.deviceId < b.deviceId ? -1 : 1))
        .map((r) => ({ createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt) }));
      return [
        {
          serial: pass.serial,
          createdAt: new Date(pass.createdAt),
          updatedAt: new Date(pass.updatedAt),
          registrations,
        },
      ];
    },

    async googleObjectOf(customerId) {
      const o = state.maybe(programId)?.googleObjects.get(customerId);
      if (!o) return null;
      return {
        objectId: o.objectId,
        tierId: o.tierId,
        syncedAt: o.syncedAt,
        createdAt: new Date(o.createdAt),
      };
    },

    async webhookEventsOf(customerId, opts) {
      const after = opts.cursor === undefined ? null : decodeCursor(opts.cursor);
      const rows = [...(state.maybe(programId)?.events.values() ?? [])]
        .filter((e) => e.customerId === customerId)
        .filter((e) => {
          if (!after) return true;
          const t = e.occurredAt.getTime();
          return t > after.at || (t === after.at && e.id > after.id);
        })
        .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : 1));
      const items = rows
        .slice(0, opts.limit)
        .map((e) => copy({ id: e.id, type: e.type, data: e.data as unknown, occurredAt: e.occurredAt }));
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > opts.limit && last ? encodeCursor(last.occurredAt, last.id) : null,
      };
    },

    async redactedAt(customerId) {
      const p = state.maybe(programId);
      if (!p?.customers.has(customerId)) return null;
      const at = p.redactions.get(customerId);
      return at ? new Date(at) : null;
    },

    redactCustomer(customerId, now, opts) {
      return unit(async (tx) => {
        // The customer's lock: an order or upsert of theirs waits for the erasure.
        await writeLock(tx, ...customerLock(programId, customerId));
        const p = state.maybe(programId);
        const customer = p?.customers.get(customerId);
        if (!p || !customer) return null;
        let changed = 0;
        for (const [id, o] of p.orders) {
          if (o.customerId !== customerId || !responseHasPerson(o.response)) continue;
          put(tx, p.orders, id, { ...o, response: redactResponse(o.response) as typeof o.response });
          changed++;
        }
        for (const [id, r] of p.refunds) {
          if (p.orders.get(r.orderId)?.customerId !== customerId || !responseHasPerson(r.response)) continue;
          put(tx, p.refunds, id, { ...r, response: redactResponse(r.response) as typeof r.response });
          changed++;
        }
        for (const [key, r] of p.idempotency) {
          const c = isObject(r.response) ? r.response.customer : undefined;
          if (!isObject(c) || c.id !== customerId || !responseHasPerson(r.response)) continue;
          put(tx, p.idempotency, key, { ...r, response: redactResponse(r.response) as typeof r.response });
          changed++;
        }
        for (const [id, e] of p.events) {
          if (e.customerId !== customerId) continue;
          const data = redactEvent(e.type, e.data);
          if (JSON.stringify(data) === JSON.stringify(e.data)) continue;
          put(tx, p.events, id, { ...e, data });
          changed++;
        }
        for (const [id, c] of p.tierChanges) {
          const facts = c.facts as unknown;
          if (c.customerId !== customerId || !isObject(facts) || !('tags' in facts)) continue;
          if (Array.isArray(facts.tags) && facts.tags.length === 0) continue;
          put(tx, p.tierChanges, id, { ...c, facts: { ...facts, tags: [] } as typeof c.facts });
          changed++;
        }
        for (const [key, e] of p.ledger) {
          if (e.customerId !== customerId || e.reason === null) continue;
          put(tx, p.ledger, key, { ...e, reason: null });
          changed++;
        }
        const first = p.redactions.get(customerId);
        const personal = customer.email !== null || customer.name !== null || customer.tags.length > 0;
        if (personal || first === undefined) {
          put(tx, p.customers, customerId, {
            ...customer,
            email: null,
            name: null,
            tags: [],
            updatedAt: new Date(now),
          });
          put(tx, p.redactions, customerId, first ?? now.getTime());
          changed++;
          queueRefresh(state, tx, programId, customerId, ['apple', 'google']);
          // The customer's Klaviyo profile is deleted too (decision 0052), after their earlier rows.
          if (opts?.klaviyoErasure && p.klaviyo !== null) {
            const id = state.outboxIds.next();
            put(tx, state.outbox, id, {
              id,
              programId,
              customerId,
              kind: 'klaviyo_profile_changed',
              dueAt: state.now(),
              attempts: 0,
              lastError: null,
              done: false,
              eventId: null,
              erasureSealed: opts.klaviyoErasure(customer.email),
            });
            tx.queued = true;
          }
        }
        return { redactedAt: new Date(first ?? now.getTime()), changed: changed > 0 };
      });
    },
  };
}

/** Delete every row of one program (its API keys, sessions, outbox rows and deliveries too). */
export function deleteProgram(state: MemoryState, programId: string): ProgramDeletion | null {
  const p = state.programs.get(programId);
  if (!p) return null;
  const counts: ProgramDeletion = {
    customers: p.customers.size,
    orders: p.orders.size,
    refunds: p.refunds.size,
    idempotency_keys: p.idempotency.size,
    ledger_entries: p.ledger.size,
    tier_changes: p.tierChanges.size,
    tiers: p.tiers.size,
    recalc_runs: p.runs.size,
    recalc_batches: p.batches.size,
    passes: p.passes.size,
    pass_registrations: p.registrations.size,
    tier_artwork: p.artwork.size,
    webhook_subscriptions: p.subscriptions.size,
    webhook_events: p.events.size,
    google_wallet_objects: p.googleObjects.size,
    shopify_connections: p.shopify.connection ? 1 : 0,
    klaviyo_connections: p.klaviyo ? 1 : 0,
    klaviyo_syncs: p.klaviyoSync ? 1 : 0,
    shopify_webhooks: p.shopify.webhooks.size,
    shopify_backfills: p.shopify.backfill ? 1 : 0,
    shopify_segment_members: [...p.shopifySegments.members.values()].reduce((n, s) => n + s.size, 0),
    shopify_segments: p.shopifySegments.segments.size,
    shopify_segment_syncs: p.shopifySegments.sync ? 1 : 0,
    programs: 1,
  };
  const drop = <K, V>(map: Map<K, V>, owned: (v: V) => boolean): number => {
    let n = 0;
    for (const [k, v] of [...map]) {
      if (owned(v)) {
        map.delete(k);
        n++;
      }
    }
    return n;
  };
  counts.api_keys = drop(state.apiKeys, (id) => id === programId);
  counts.sessions = drop(state.sessions, (s) => s.programId === programId);
  counts.outbox = drop(state.outbox, (o) => o.programId === programId);
  counts.webhook_deliveries = drop(state.deliveries, (d) => d.programId === programId);
  state.programs.delete(programId);
  return counts;
}
