/**
 * Checks of a replay request that a schema of one field cannot make: time order, known
 * customers and orders, the replay span. Each problem names the field it is about.
 */
import { addDuration } from '../../domain/duration.js';
import type { ErrorDetail } from '../../errors.js';
import type { ReplayBody } from './replay-schemas.js';

/** Longest replay span (until − start), in the program's time zone. */
export const MAX_REPLAY_SPAN = 'P5Y';
/**
 * Most customer-days in one replay. The replay runs in the request, on the event loop,
 * and its cost is about customers × days (a daily sync per customer in continuous mode):
 * 50,000 (100 customers over a year, or 27 over five) is ~0.8 s of CPU.
 */
export const MAX_REPLAY_CUSTOMER_DAYS = 50_000;

/** The replay start: `from`, or the earliest customer creation or event (as the domain does). */
export function replayStart(body: ReplayBody): Date {
  if (body.from) return body.from;
  let t = body.until.getTime();
  for (const c of body.customers) if (c.createdAt) t = Math.min(t, c.createdAt.getTime());
  for (const e of body.events) t = Math.min(t, e.at.getTime());
  return new Date(t);
}

function checkCustomers(body: ReplayBody, start: Date, push: (d: ErrorDetail) => void): void {
  const seen = new Set<string>();
  body.customers.forEach((c, i) => {
    const path = `body.customers.${i}`;
    if (seen.has(c.id))
      push({ path: `${path}.id`, code: 'duplicate_customer', message: `${c.id} appears twice` });
    seen.add(c.id);
    if (c.createdAt && c.createdAt.getTime() < start.getTime()) {
      push({
        path: `${path}.createdAt`,
        code: 'before_start',
        message: 'createdAt is before the replay start',
      });
    }
    if (c.createdAt && c.createdAt.getTime() > body.until.getTime()) {
      push({ path: `${path}.createdAt`, code: 'after_until', message: 'createdAt is after until' });
    }
  });
}

function checkEvents(body: ReplayBody, start: Date, push: (d: ErrorDetail) => void): void {
  const created = new Map(body.customers.map((c) => [c.id, (c.createdAt ?? start).getTime()]));
  const orders = new Map<string, string>();
  let previous = Number.NEGATIVE_INFINITY;
  body.events.forEach((e, i) => {
    const path = `body.events.${i}`;
    const t = e.at.getTime();
    if (t < previous) {
      push({
        path: `${path}.at`,
        code: 'events_out_of_order',
        message: 'events must be in time order (by at)',
      });
    }
    previous = Math.max(previous, t);
    if (t > body.until.getTime()) {
      push({ path: `${path}.at`, code: 'event_after_until', message: 'the event is after until' });
    }
    const customerId = e.type === 'refund' ? orders.get(e.orderId) : e.customerId;
    if (e.type === 'refund' && customerId === undefined) {
      push({
        path: `${path}.orderId`,
        code: 'unknown_order',
        message: `no order event ${e.orderId} before this refund`,
      });
      return;
    }
    const since = customerId === undefined ? undefined : created.get(customerId);
    if (since === undefined) {
      push({
        path: `${path}.customerId`,
        code: 'unknown_customer',
        message: `no customer ${customerId} in customers`,
      });
      return;
    }
    if (t < since) {
      push({
        path: `${path}.at`,
        code: 'event_before_customer',
        message: 'the event is before the customer was created',
      });
    }
    if (e.type === 'order') {
      if (orders.has(e.id))
        push({ path: `${path}.id`, code: 'duplicate_order', message: `order ${e.id} appears twice` });
      else orders.set(e.id, e.customerId);
      if (e.placedAt && e.placedAt.getTime() > t) {
        push({ path: `${path}.placedAt`, code: 'placed_after_event', message: 'placedAt is later than at' });
      }
    }
    if (e.type === 'points' && e.points < 0 && e.qualifying === true) {
      push({
        path: `${path}.qualifying`,
        code: 'unsupported_event',
        message: 'the replay models negative points as non-qualifying adjustments only',
      });
    }
  });
}

/** Every problem of a replay request; empty when it can run. */
export function replayProblems(body: ReplayBody, timeZone: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const push = (d: ErrorDetail) => problems.push(d);
  const start = replayStart(body);
  if (body.from && body.from.getTime() > body.until.getTime()) {
    push({ path: 'body.from', code: 'invalid_range', message: 'from is after until' });
  }
  if (addDuration(start, MAX_REPLAY_SPAN, timeZone).getTime() < body.until.getTime()) {
    push({
      path: 'body.until',
      code: 'replay_too_long',
      message: `a replay spans at most ${MAX_REPLAY_SPAN}`,
    });
  }
  const days = Math.ceil((body.until.getTime() - start.getTime()) / 86_400_000);
  if (body.customers.length * days > MAX_REPLAY_CUSTOMER_DAYS) {
    push({
      path: 'body.customers',
      code: 'replay_too_large',
      message: `customers × days must stay within ${MAX_REPLAY_CUSTOMER_DAYS} (${body.customers.length} × ${days})`,
    });
  }
  checkCustomers(body, start, push);
  checkEvents(body, start, push);
  if (body.from) {
    body.events.forEach((e, i) => {
      if (e.at.getTime() < start.getTime()) {
        push({ path: `body.events.${i}.at`, code: 'before_start', message: 'the event is before from' });
      }
    });
  }
  return problems;
}
