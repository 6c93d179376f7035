import request from 'supertest';
import { createProgram, type Harness, type StoreKind, startHarness, uid } from '../support/harness.js';

/**
 * The order tests' setup: one app for the file, a fresh program (10 points per unit) before each
 * test, and the helpers they share. Call at the top of a test file (or suite function); `store`
 * picks the adapter (default: TEST_STORE, else PostgreSQL).
 */
export function orderTests(store?: StoreKind) {
  const t = {} as { h: Harness; auth: { Authorization: string }; programId: string };
  beforeAll(async () => {
    t.h = await startHarness({ store });
  });
  beforeEach(async () => {
    ({ auth: t.auth, programId: t.programId } = await createProgram(t.h, { earning: { pointsPerUnit: 10 } }));
  });
  afterAll(() => t.h.close());

  async function customer(): Promise<string> {
    const id = uid('cust');
    await request(t.h.app).put(`/v1/customers/${id}`).set(t.auth).send({}).expect(201);
    return id;
  }
  async function balances(id: string) {
    return (await request(t.h.app).get(`/v1/customers/${id}`).set(t.auth)).body.balances;
  }
  async function expectLedgerMatches(id: string) {
    const sum = await t.h.store.scoped(t.programId).ledger.sum(id);
    expect(sum).toEqual(await balances(id));
  }
  return { t, customer, balances, expectLedgerMatches };
}
