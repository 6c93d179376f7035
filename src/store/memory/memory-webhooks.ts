/** Webhook subscriptions, events and deliveries on the in-memory adapter. */
import { randomUUID } from 'node:crypto';
import type { NewWebhookEvent } from '../../domain/webhook-events.js';
import type {
  ClaimedDelivery,
  StoredWebhookSecrets,
  WebhookDeliveryRecord,
  WebhookDispatchRepository,
  WebhookRepository,
} from '../webhook-port.js';
import { copy, idCursor, type MemoryTx, put } from './memory-db.js';
import type { DeliveryRow, MemoryState, ProgramData } from './memory-state.js';

function eventId(): string {
  return `evt_${randomUUID().replaceAll('-', '')}`;
}

function newDelivery(
  state: MemoryState,
  programId: string,
  fields: Pick<DeliveryRow, 'subscriptionId' | 'eventId' | 'customerId' | 'dueAt' | 'redeliveryOf'>,
): DeliveryRow {
  return {
    id: state.deliveryIds.next(),
    programId,
    state: 'pending',
    leaseUntil: 0,
    lastStatus: null,
    lastError: null,
    doneAt: null,
    createdAt: new Date(state.now()),
    firstAttemptAt: null,
    attempts: [],
    ...fields,
  };
}

/**
 * Store `events` with one pending delivery per enabled subscription that wants the type, due at
 * the event's `at`; an event nobody wants is not stored. True when a delivery was queued.
 */
export function storeEvents(
  state: MemoryState,
  tx: MemoryTx | null,
  programId: string,
  events: readonly NewWebhookEvent[],
  /** With a Klaviyo connection every event is stored and its id added here (decision 0044). */
  forKlaviyo?: string[],
): boolean {
  const p = state.program(programId);
  const subs = [...p.subscriptions.values()].filter((s) => s.record.state === 'enabled');
  const klaviyo = forKlaviyo !== undefined && p.klaviyo !== null;
  let queued = false;
  for (const e of events) {
    const wanting = subs
      .filter((s) => (s.record.events as string[]).includes(e.type))
      .sort((a, b) => (a.record.id < b.record.id ? -1 : 1));
    if (wanting.length === 0 && !klaviyo) continue;
    const id = eventId();
    put(tx, p.events, id, {
      id,
      customerId: e.customerId,
      type: e.type,
      data: copy(e.data) as Record<string, unknown>,
      occurredAt: new Date(e.at),
    });
    if (klaviyo) forKlaviyo.push(id);
    for (const s of wanting) {
      const d = newDelivery(state, programId, {
        subscriptionId: s.record.id,
        eventId: id,
        customerId: e.customerId,
        dueAt: new Date(e.at),
        redeliveryOf: null,
      });
      put(tx, state.deliveries, d.id, d);
      queued = true;
    }
  }
  if (queued && tx) tx.delivering = true;
  return queued;
}

function toRecord(p: ProgramData, d: DeliveryRow): WebhookDeliveryRecord {
  const e = p.events.get(d.eventId);
  return copy({
    id: String(d.id),
    subscriptionId: d.subscriptionId,
    eventId: d.eventId,
    eventType: (e?.type ?? 'ping') as WebhookDeliveryRecord['eventType'],
    customerId: d.customerId,
    state: d.state,
    dueAt: d.dueAt,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    redeliveryOf: d.redeliveryOf,
    doneAt: d.doneAt,
    createdAt: d.createdAt,
    attempts: [...d.attempts],
  });
}

export function memoryWebhooks(state: MemoryState, programId: string, told: () => void): WebhookRepository {
  const data = () => state.program(programId);
  const live = (id: string) => {
    const s = state.maybe(programId)?.subscriptions.get(id);
    return s && s.record.state !== 'deleted' ? s : undefined;
  };
  return {
    async rotateSecret(id, { secret, previousUntil, now }) {
      const s = live(id);
      if (!s) return null;
      // The old secret moves to the previous slot as the new one takes its place.
      const keep = previousUntil.getTime() > now.getTime();
      const next = {
        record: {
          ...s.record,
          previousSecretUntil: keep ? new Date(previousUntil) : null,
          updatedAt: new Date(now),
        },
        secret,
        previousSecret: keep ? s.secret : null,
      };
      data().subscriptions.set(id, next);
      return copy(next.record);
    },
    async create(s) {
      const p = data();
      if (p.subscriptions.has(s.id)) throw new Error(`webhook subscription ${s.id} exists`);
      const record = {
        id: s.id,
        url: s.url,
        events: [...s.events],
        format: s.format,
        state: 'enabled' as const,
        disabledReason: null,
        disabledAt: null,
        failingSince: null,
        previousSecretUntil: null,
        createdAt: new Date(s.now),
        updatedAt: new Date(s.now),
      };
      p.subscriptions.set(s.id, { record, secret: s.secret, previousSecret: null });
      return copy(record);
    },
    async list() {
      const p = state.maybe(programId);
      if (!p) return [];
      return [...p.subscriptions.values()]
        .filter((s) => s.record.state !== 'deleted')
        .sort(
          (a, b) =>
            a.record.createdAt.getTime() - b.record.createdAt.getTime() ||
            (a.record.id < b.record.id ? -1 : 1),
        )
        .map((s) => copy(s.record));
    },
    async get(id) {
      const s = live(id);
      return s ? copy(s.record) : null;
    },
    async remove(id, now) {
      const s = live(id);
      if (!s) return false;
      data().subscriptions.set(id, {
        ...s,
        record: { ...s.record, state: 'deleted', updatedAt: new Date(now) },
      });
      for (const d of state.deliveries.values()) {
        if (d.programId === programId && d.subscriptionId === id && d.state === 'pending')
          state.deliveries.set(d.id, {
            ...d,
            state: 'failed',
            lastError: 'unsubscribed',
            doneAt: new Date(now),
            leaseUntil: 0,
          });
      }
      return true;
    },
    async enable(id, now) {
      const s = live(id);
      if (!s) return null;
      const record = {
        ...s.record,
        state: 'enabled' as const,
        disabledReason: null,
        disabledAt: null,
        failingSince: null,
        updatedAt: new Date(now),
      };
      data().subscriptions.set(id, { ...s, record });
      return copy(record);
    },
    async deliveries(subscriptionId, page) {
      const before = idCursor(page.cursor);
      const p = state.maybe(programId);
      if (!p) return { items: [], nextCursor: null };
      const rows = [...state.deliveries.values()]
        .filter(
          (d) =>
            d.programId === programId &&
            d.subscriptionId === subscriptionId &&
            (before === null || d.id < before),
        )
        .sort((a, b) => b.id - a.id)
        .slice(0, page.limit + 1);
      const items = rows.slice(0, page.limit).map((d) => toRecord(p, d));
      return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
    },
    async redeliver(subscriptionId, deliveryId, dueAt) {
      if (!/^\d{1,19}$/.test(deliveryId)) return null;
      const was = state.deliveries.get(Number(deliveryId));
      if (!was || was.programId !== programId || was.subscriptionId !== subscriptionId) return null;
      const d = newDelivery(state, programId, {
        subscriptionId,
        eventId: was.eventId,
        customerId: was.customerId,
        dueAt: new Date(dueAt),
        redeliveryOf: String(was.id),
      });
      state.deliveries.set(d.id, d);
      told();
      return toRecord(data(), d);
    },
    async ping(subscriptionId, body, at) {
      const s = live(subscriptionId);
      if (s?.record.state !== 'enabled') return null;
      const p = data();
      const id = eventId();
      p.events.set(id, { id, customerId: null, type: 'ping', data: copy(body), occurredAt: new Date(at) });
      const d = newDelivery(state, programId, {
        subscriptionId,
        eventId: id,
        customerId: null,
        dueAt: new Date(at),
        redeliveryOf: null,
      });
      state.deliveries.set(d.id, d);
      told();
      return toRecord(p, d);
    },
  };
}

export function memoryWebhookDispatch(
  state: MemoryState,
  listeners: (() => void)[],
): WebhookDispatchRepository {
  return {
    onQueued(listener) {
      listeners.push(listener);
    },
    async claim({ limit, leaseMs, now, programId }) {
      const dbNow = state.now();
      // Heads: the oldest pending delivery of each (program, subscription, customer) queue.
      const heads = new Map<string, DeliveryRow>();
      for (const d of [...state.deliveries.values()].sort((a, b) => a.id - b.id)) {
        if (d.state !== 'pending' || (programId !== undefined && d.programId !== programId)) continue;
        const key = `${d.programId}\u0000${d.subscriptionId}\u0000${d.customerId ?? ''}`;
        if (!heads.has(key)) heads.set(key, d);
      }
      const picked = [...heads.values()]
        .filter((d) => {
          if (d.leaseUntil >= dbNow) return false;
          const p = state.maybe(d.programId);
          const s = p?.subscriptions.get(d.subscriptionId);
          if (!p || !s || s.record.state !== 'enabled') return false;
          const dueBy = p.program.mode === 'test' ? (p.program.clockNow ?? now) : now;
          return d.dueAt.getTime() <= dueBy.getTime();
        })
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id)
        .slice(0, limit);
      const claimed: ClaimedDelivery[] = [];
      for (const d of picked) {
        state.deliveries.set(d.id, { ...d, leaseUntil: dbNow + leaseMs });
        const p = state.program(d.programId);
        const s = p.subscriptions.get(d.subscriptionId);
        const e = p.events.get(d.eventId);
        if (!s || !e) continue;
        claimed.push(
          copy({
            id: String(d.id),
            programId: d.programId,
            programMode: p.program.mode,
            subscriptionId: d.subscriptionId,
            url: s.record.url,
            format: s.record.format,
            secret: s.secret,
            previousSecret: s.previousSecret,
            previousSecretUntil: s.record.previousSecretUntil,
            customerId: d.customerId,
            event: {
              id: e.id,
              type: e.type as ClaimedDelivery['event']['type'],
              data: e.data,
              occurredAt: e.occurredAt,
            },
            attempts: d.attempts.length,
            dueAt: d.dueAt,
            firstAttemptAt: d.firstAttemptAt,
            failingSince: s.record.failingSince,
          }),
        );
      }
      return claimed;
    },
    async complete(outcomes) {
      const subs = new Map<
        string,
        {
          programId: string;
          id: string;
          ok: boolean;
          firstFailure: Date | null;
          disable: string | null;
          at: Date;
        }
      >();
      for (const o of outcomes) {
        const id = Number(o.delivery.id);
        const d = state.deliveries.get(id);
        if (d && d.state === 'pending') {
          state.deliveries.set(id, {
            ...d,
            state: o.result === 'retry' ? 'pending' : o.result,
            attempts: [
              ...d.attempts,
              { at: new Date(o.at), status: o.status, error: o.error, durationMs: Math.round(o.durationMs) },
            ],
            dueAt: o.nextDueAt ? new Date(o.nextDueAt) : d.dueAt,
            leaseUntil: 0,
            firstAttemptAt: d.firstAttemptAt ?? new Date(o.at),
            lastStatus: o.status,
            lastError: o.error,
            doneAt: o.result === 'retry' ? null : new Date(o.at),
          });
        }
        const key = `${o.delivery.programId}\u0000${o.delivery.subscriptionId}`;
        const s = subs.get(key) ?? {
          programId: o.delivery.programId,
          id: o.delivery.subscriptionId,
          ok: false,
          firstFailure: null,
          disable: null,
          at: o.at,
        };
        if (o.result === 'delivered') s.ok = true;
        else if (s.firstFailure === null || o.at < s.firstFailure) s.firstFailure = o.at;
        if (o.disable !== null && (s.disable === null || o.disable > s.disable)) s.disable = o.disable;
        if (o.at > s.at) s.at = o.at;
        subs.set(key, s);
      }
      for (const s of subs.values()) {
        const p = state.maybe(s.programId);
        const row = p?.subscriptions.get(s.id);
        if (!p || !row) continue;
        const r = row.record;
        const disabling = s.disable !== null && r.state === 'enabled';
        p.subscriptions.set(s.id, {
          ...row,
          record: {
            ...r,
            failingSince: s.ok ? null : (r.failingSince ?? s.firstFailure),
            state: disabling ? 'disabled' : r.state,
            disabledReason: disabling ? s.disable : r.disabledReason,
            disabledAt: disabling ? new Date(s.at) : r.disabledAt,
            updatedAt: disabling ? new Date(s.at) : r.updatedAt,
          },
        });
      }
      // Test programs: a customer's next delivery is not due before this attempt's time.
      for (const o of outcomes) {
        if (o.delivery.programMode !== 'test' || o.result === 'retry') continue;
        for (const d of state.deliveries.values()) {
          if (
            d.programId === o.delivery.programId &&
            d.subscriptionId === o.delivery.subscriptionId &&
            d.customerId === o.delivery.customerId &&
            d.customerId !== null &&
            d.state === 'pending' &&
            d.id > Number(o.delivery.id) &&
            d.dueAt < o.at
          )
            state.deliveries.set(d.id, { ...d, dueAt: new Date(o.at) });
        }
      }
    },
  };
}

/**
 * Every subscription (deleted ones too, across programs) whose secret or previous secret does not
 * start with `currentPrefix`, re-sealed by `reseal`; each row is written only if unchanged since
 * read. Returns how many rows were rewritten.
 */
export function resealWebhookSecrets(
  state: MemoryState,
  reseal: (stored: StoredWebhookSecrets) => { secret: string; previousSecret: string | null } | null,
  currentPrefix: string,
): number {
  let rewritten = 0;
  for (const [programId, p] of state.programs) {
    for (const [id, s] of [...p.subscriptions]) {
      const stale =
        !s.secret.startsWith(currentPrefix) ||
        (s.previousSecret !== null && !s.previousSecret.startsWith(currentPrefix));
      if (!stale) continue;
      const next = reseal({
        programId,
        subscriptionId: id,
        secret: s.secret,
        previousSecret: s.previousSecret,
      });
      if (next === null) continue;
      const now = p.subscriptions.get(id);
      if (now?.secret !== s.secret || now.previousSecret !== s.previousSecret) continue;
      p.subscriptions.set(id, { ...now, secret: next.secret, previousSecret: next.previousSecret });
      rewritten++;
    }
  }
  return rewritten;
}
