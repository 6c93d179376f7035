/**
 * Google Wallet's published rules (issue 15, G1–G6; docs/decisions/0040-wallet-conformance.md),
 * end to end: the real app on its own database against the Google stand-in, which enforces
 * patch/update semantics, the int32 balance, the 3-in-24-hours notification quota and the
 * 10-message limit.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { png } from '../artwork/artwork-fixtures.js';
import { fixedClock, uid } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { type GoogleHarness, ISSUER_ID, PUBLIC_URL, startGoogleHarness } from './google-harness.js';
import { notificationsTaken, settleOutbox } from './google-sql.js';
import { STAND_IN_LIMITS, verifyJwt } from './google-stand-in.js';

const clock = fixedClock(new Date('2026-03-10T09:00:00Z'));
let h: GoogleHarness;
let auth: { Authorization: string };
let programId: string;
let tiers: Record<string, string>;

let temp: Awaited<ReturnType<typeof createTempDatabase>> | undefined;
beforeAll(async () => {
  temp = await createTempDatabase();
  h = await startGoogleHarness({ clock, databaseUrl: temp.url });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await temp?.drop();
});

beforeEach(async () => {
  await settleOutbox(temp?.url);
  clock.set(new Date('2026-03-10T09:00:00Z'));
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', 'Bearer test-admin-token-0123456789')
    .send({
      name: 'Maison Lumière',
      currency: 'USD',
      earning: { pointsPerUnit: 10 },
      retention: { mode: 'continuous' },
    });
  expect(res.status).toBe(201);
  auth = { Authorization: `Bearer ${res.body.apiKey}` };
  programId = res.body.program.id;
  tiers = {};
  for (const [title, minPoints] of [
    ['Bronze', null],
    ['Silver', 1000],
    ['Gold', 2000],
  ] as const) {
    const t = await request(h.app)
      .post('/v1/tiers')
      .set(auth)
      .send({ title, ...(minPoints ? { qualifications: [{ type: 'lifetimePoints', minPoints }] } : {}) });
    expect(t.status).toBe(201);
    tiers[title] = t.body.id;
  }
}, 60_000);

async function newCustomer(fields: { name?: string; email?: string } = { name: 'Ada Lovelace' }) {
  const id = uid('cust');
  expect((await request(h.app).put(`/v1/customers/${id}`).set(auth).send(fields)).status).toBe(201);
  return id;
}

async function saveLink(customerId: string): Promise<string> {
  const res = await request(h.app).get(`/v1/customers/${customerId}/passes/google`).set(auth);
  expect(res.status).toBe(200);
  const jwt = (res.body.saveUrl as string).split('/').at(-1) as string;
  const claims = verifyJwt(jwt, h.account.publicKey).claims;
  return (claims.payload as { loyaltyObjects: { id: string }[] }).loyaltyObjects[0]?.id as string;
}

const order = async (customerId: string, amount: number): Promise<string> => {
  const res = await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('order'), customerId, amount });
  expect(res.status).toBe(201);
  return res.body.order.id;
};
const refund = (orderId: string, amount: number) =>
  request(h.app)
    .post(`/v1/orders/${orderId}/refunds`)
    .set(auth)
    .send({ id: uid('refund'), amount })
    .expect(201);

const objectOf = (objectId: string) => {
  const o = h.standIn.objects.get(objectId);
  if (!o) throw new Error(`no object ${objectId} at the stand-in`);
  return o;
};
const classOf = (tierId: string) =>
  h.standIn.classes.get(`${ISSUER_ID}.${programId}.tier.${tierId.replace(/_/g, '_5f')}`);
const minutes = (n: number) => new Date(clock.now().getTime() + n * 60_000);

/** Dispatch until nothing is retried (retries wait 20 ms and more in the harness). */
async function settle() {
  const total = { synced: 0, notified: 0, texts: 0, retried: 0, failed: 0 };
  for (let i = 0; i < 50; i++) {
    const r = await h.dispatcher.dispatch();
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r[k];
    // A retry is due 20 ms (doubling) after its failure: look again once before stopping.
    if (i > 0 && r.retried === 0 && r.synced + r.failed === 0) break;
    await sleep(60);
  }
  return total;
}

describe('G1: fields removed from a class are cleared at Google', () => {
  it('removing the hero image and the about/terms texts removes them from the class', async () => {
    const bronze = tiers.Bronze as string;
    await request(h.app)
      .put(`/v1/tiers/${bronze}/artwork/hero`)
      .set(auth)
      .set('Content-Type', 'image/png')
      .send(await png(1032, 336))
      .expect(200);
    await request(h.app)
      .put(`/v1/tiers/${bronze}/design`)
      .set(auth)
      .send({ texts: { about: 'Since 1890', terms: 'Points expire' } })
      .expect(200);
    const c = await newCustomer();
    await saveLink(c);
    expect(classOf(bronze)?.heroImage).toBeDefined();
    expect(classOf(bronze)?.textModulesData).toEqual([
      { id: 'about', header: 'About', body: 'Since 1890' },
      { id: 'terms', header: 'Terms', body: 'Points expire' },
    ]);

    await request(h.app).delete(`/v1/tiers/${bronze}/artwork/hero`).set(auth).expect(204);
    await request(h.app).put(`/v1/tiers/${bronze}/design`).set(auth).send({}).expect(200);
    await order(c, 100);
    await settle();
    const cls = classOf(bronze);
    expect(cls?.heroImage).toBeUndefined();
    expect(cls?.textModulesData).toBeUndefined();
    // What stays is still there: the class was replaced by the whole current body.
    expect(cls).toMatchObject({ issuerName: 'Maison Lumière', rewardsTier: 'Bronze' });
  });
});

describe('G2: three notifications in any 24 hours, surviving retries', () => {
  it('counts the last 24 hours, not the UTC day', async () => {
    clock.set(new Date('2026-03-10T22:00:00Z'));
    const c = await newCustomer();
    const objectId = await saveLink(c);
    const orders: string[] = [];
    // Silver, Gold, then back to Silver: three notifying messages late on 10 March.
    orders.push(await order(c, 10000));
    expect(await settle()).toMatchObject({ notified: 1 });
    clock.set(minutes(10));
    orders.push(await order(c, 10000));
    expect(await settle()).toMatchObject({ notified: 1 });
    clock.set(minutes(10));
    await refund(orders[1] as string, 10000);
    expect(await settle()).toMatchObject({ notified: 1 });
    // Three hours later it is 11 March (UTC), but still within 24 hours of all three.
    clock.set(new Date('2026-03-11T01:00:00Z'));
    await order(c, 10000); // Gold again
    expect(await settle()).toMatchObject({ synced: 1, notified: 0, texts: 1, retried: 0, failed: 0 });
    expect((objectOf(objectId).messages ?? []).at(-1)).toMatchObject({
      header: "You're now Gold",
      messageType: 'TEXT',
    });
    // Past 24 hours after the first one, a change notifies again.
    clock.set(new Date('2026-03-11T22:05:00Z'));
    await refund(orders[0] as string, 10000); // back to Silver
    expect(await settle()).toMatchObject({ synced: 1, notified: 1, texts: 0 });
  });

  it('a refused message keeps its slot and is retried as TEXT, not notifying twice', async () => {
    const c = await newCustomer();
    const objectId = await saveLink(c);
    await order(c, 10000); // → Silver
    h.standIn.failNext(1, 503, /\/addMessage$/);
    expect(await h.dispatcher.dispatch()).toMatchObject({ synced: 0, retried: 1 });
    expect(await settle()).toMatchObject({ synced: 1, notified: 0, texts: 1 });
    expect((objectOf(objectId).messages ?? []).map((m) => [m.header, m.messageType])).toEqual([
      ["You're now Silver", 'TEXT'],
    ]);
    // The slot stayed used: two more notify, the next is TEXT.
    expect(await notificationsTaken(programId, c, temp?.url)).toBe(1);
    const gold = await order(c, 10000);
    expect(await settle()).toMatchObject({ notified: 1 });
    await refund(gold, 10000);
    expect(await settle()).toMatchObject({ notified: 1 });
    await order(c, 10000);
    expect(await settle()).toMatchObject({ notified: 0, texts: 1, retried: 0, failed: 0 });
    expect(await notificationsTaken(programId, c, temp?.url)).toBe(3);
  });
});

describe('G3: balances beyond 32 bits', () => {
  it('sends a balance above 2^31 − 1 as a string Google shows as is', async () => {
    const c = await newCustomer();
    const objectId = await saveLink(c);
    await order(c, 300_000_000_000); // $3,000,000,000 at 10 points per unit
    expect(await settle()).toMatchObject({ synced: 1, failed: 0 });
    expect(objectOf(objectId).loyaltyPoints).toEqual({
      label: 'Points',
      balance: { string: '30,000,000,000' },
    });
    // Small balances stay numbers.
    const d = await newCustomer();
    await order(d, 2000);
    expect(objectOf(await saveLink(d)).loyaltyPoints).toEqual({ label: 'Points', balance: { int: 200 } });
  });
});

describe('G4: at most 10 messages on an object', () => {
  it('prunes the oldest messages so a 12th tier change still reaches the pass', async () => {
    const c = await newCustomer();
    const objectId = await saveLink(c);
    for (let i = 0; i < 6; i++) {
      clock.set(minutes(5));
      const o = await order(c, 10000); // → Silver
      expect(await settle()).toMatchObject({ synced: 1, failed: 0 });
      clock.set(minutes(5));
      await refund(o, 10000); // → Bronze
      expect(await settle()).toMatchObject({ synced: 1, failed: 0 });
    }
    const messages = objectOf(objectId).messages ?? [];
    expect(messages).toHaveLength(STAND_IN_LIMITS.messagesPerObject);
    expect(messages.at(-1)).toMatchObject({ header: 'Your tier is now Bronze' });
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
  });
});

describe('G5: program logo at Google size', () => {
  it('renders the template logo at 660 px when no logo was uploaded', async () => {
    const c = await newCustomer();
    await saveLink(c);
    const logo = classOf(tiers.Bronze as string)?.programLogo as { sourceUri: { uri: string } } | undefined;
    const uri = logo?.sourceUri.uri ?? '';
    expect(uri.startsWith(`${PUBLIC_URL}/wallet/google/images/template/`)).toBe(true);
    const res = await request(h.app).get(uri.slice(PUBLIC_URL.length));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const body = res.body as Buffer;
    expect(body.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(body.readUInt32BE(16)).toBeGreaterThanOrEqual(660);
    expect(body.readUInt32BE(20)).toBeGreaterThanOrEqual(660);
  });
});

describe('G6: account name', () => {
  it("shows the customer's name, else their email, never the merchant's customer id", async () => {
    const named = await newCustomer({ name: 'Ada Lovelace', email: 'ada@example.test' });
    expect(objectOf(await saveLink(named)).accountName).toBe('Ada Lovelace');
    const emailOnly = await newCustomer({ email: 'grace@example.test' });
    expect(objectOf(await saveLink(emailOnly)).accountName).toBe('grace@example.test');
    const anonymous = await newCustomer({});
    const object = objectOf(await saveLink(anonymous));
    expect(object.accountName).toBeUndefined();
    expect(object.accountId).toBe(anonymous);
    // A name removed later is removed at Google too (patch would keep it: the object is
    // replaced, its messages kept).
    const namedObject = await saveLink(named);
    await order(named, 10000); // → Silver: one message on the object
    await settle();
    await request(h.app)
      .put(`/v1/customers/${named}`)
      .set(auth)
      .send({ name: null, email: null })
      .expect(200);
    await order(named, 100);
    await settle();
    expect(objectOf(namedObject).accountName).toBeUndefined();
    expect(objectOf(namedObject).loyaltyPoints).toEqual({ label: 'Points', balance: { int: 1010 } });
    expect((objectOf(namedObject).messages ?? []).map((m) => m.header)).toEqual(["You're now Silver"]);
  });
});
