/**
 * Concurrent order traffic for the connection-loss tests, and the checks that nothing
 * acknowledged was lost and nothing was applied twice.
 */
import type { Express } from 'express';
import request from 'supertest';
import type { Store } from '../../src/store/port.js';

/** One order sent and what came back. */
export interface SentOrder {
  id: string;
  customerId: string;
  amount: number;
  status: number;
  code?: string;
  retryAfter?: string;
}

/**
 * `clients` loops each sending one order at a time, round-robin over `customers`, until `stop()`
 * says so. Every response is recorded; a request never answered would hang the test (its hook
 * timeout is the bound).
 */
export async function orderLoad(
  app: Express,
  auth: { Authorization: string },
  customers: string[],
  opts: { clients: number; prefix: string; stop(): boolean },
): Promise<SentOrder[]> {
  const sent: SentOrder[] = [];
  let seq = 0;
  const client = async () => {
    while (!opts.stop()) {
      const n = seq++;
      const customerId = customers[n % customers.length] as string;
      const order = { id: `${opts.prefix}-${n}`, customerId, amount: 100 + (n % 7) };
      const res = await request(app).post('/v1/orders').set(auth).send(order);
      sent.push({
        ...order,
        status: res.status,
        code: res.body?.error?.code,
        retryAfter: res.headers['retry-after'],
      });
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, client));
  return sent;
}

/** Send again every order that got a 503 (as a client would); each must now be 201. */
export async function resendUnavailable(
  app: Express,
  auth: { Authorization: string },
  sent: SentOrder[],
): Promise<number[]> {
  const statuses: number[] = [];
  for (const o of sent.filter((s) => s.status === 503)) {
    const res = await request(app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: o.id, customerId: o.customerId, amount: o.amount });
    statuses.push(res.status);
  }
  return statuses;
}

/**
 * Every order sent exists once (acknowledged ones were never lost, resent ones were not applied
 * twice): each customer's lifetime spend is the sum of its orders' amounts, and its balances
 * equal its ledger's sum.
 */
export async function expectLedgerExact(
  store: Store,
  programId: string,
  sent: SentOrder[],
  customers: string[],
): Promise<void> {
  const scope = store.scoped(programId);
  for (const o of sent) {
    expect(await scope.orders.get(o.id)).toMatchObject({
      id: o.id,
      customerId: o.customerId,
      amount: o.amount,
    });
  }
  for (const c of customers) {
    const spend = sent.filter((o) => o.customerId === c).reduce((sum, o) => sum + o.amount, 0);
    const customer = await scope.customers.get(c);
    expect(customer?.balances.lifetimeSpend).toBe(spend);
    expect(await scope.ledger.sum(c)).toEqual(customer?.balances);
  }
}
