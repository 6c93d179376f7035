/**
 * Google Wallet end to end: the real app on the real database against a local Google stand-in
 * (token endpoint + Wallet REST API on a real socket, checking the bearer token).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { png } from '../artwork/artwork-fixtures.js';
import { fixedClock, uid } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { type GoogleHarness, ISSUER_ID, ORIGINS, PUBLIC_URL, startGoogleHarness } from './google-harness.js';
import { googleRowsOf, notificationsTaken, settleOutbox } from './google-sql.js';
import { CLIENT_EMAIL, verifyJwt } from './google-stand-in.js';

const clock = fixedClock(new Date('2026-03-10T09:00:00Z'));
let h: GoogleHarness;
let auth: { Authorization: string };
let programId: string;
let tiers: Record<string, string>;

// A database of its own, whose outbox each test starts with nothing due: the dispatcher claims
// every due row of its database, and tests count what one dispatch did and queue stand-in
// failures for it (on a busy machine a second customer's row once met the retry test's
// first dispatch: "retried: 2", and the 500 it took was missing from the next tests).
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
  const ladder: [string, number | null][] = [
    ['Bronze', null],
    ['Silver', 1000],
    ['Gold', 2000],
    ['Platinum', 3000],
    ['Diamond', 4000],
  ];
  for (const [title, minPoints] of ladder) {
    const t = await request(h.app)
      .post('/v1/tiers')
      .set(auth)
      .send({
        title,
        ...(minPoints ? { qualifications: [{ type: 'lifetimePoints', minPoints }] } : {}),
        benefits: { rewards: [`${title} perks`] },
      });
    expect(t.status).toBe(201);
    tiers[title] = t.body.id;
  }
});

async function newCustomer(name = 'Ada Lovelace'): Promise<string> {
  const id = uid('cust');
  expect((await request(h.app).put(`/v1/customers/${id}`).set(auth).send({ name })).status).toBe(201);
  return id;
}

/** The save link of a customer, its verified JWT claims and the object id it names. */
async function saveLink(customerId: string) {
  const res = await request(h.app).get(`/v1/customers/${customerId}/passes/google`).set(auth);
  expect(res.status).toBe(200);
  const url: string = res.body.saveUrl;
  expect(url.startsWith('https://pay.google.com/gp/v/save/')).toBe(true);
  const jwt = url.slice('https://pay.google.com/gp/v/save/'.length);
  const { header, claims } = verifyJwt(jwt, h.account.publicKey);
  const objectId = (claims.payload as { loyaltyObjects: { id: string }[] }).loyaltyObjects[0]?.id as string;
  return { url, header, claims, objectId };
}

const order = async (customerId: string, amount: number) => {
  const res = await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('order'), customerId, amount });
  expect(res.status).toBe(201);
  return res.body;
};
const objectOf = (objectId: string) => {
  const o = h.standIn.objects.get(objectId);
  if (!o) throw new Error(`no object ${objectId} at the stand-in`);
  return o;
};
const classIdFor = (tierId: string | null) =>
  tierId === null
    ? `${ISSUER_ID}.${programId}.default`
    : `${ISSUER_ID}.${programId}.tier.${tierId.replace(/_/g, '_5f')}`;

describe('save link', () => {
  it('inserts the class and object through the API, then signs a JWT that verifies with the service account key', async () => {
    const c = await newCustomer();
    const { header, claims, objectId } = await saveLink(c);

    expect(header).toMatchObject({ alg: 'RS256', kid: 'test-key-1' });
    expect(claims).toEqual({
      iss: CLIENT_EMAIL,
      aud: 'google',
      typ: 'savetowallet',
      iat: Math.floor(clock.now().getTime() / 1000),
      origins: ORIGINS,
      // Only the id: the object already exists, so the link stays short.
      payload: { loyaltyObjects: [{ id: objectId }] },
    });
    expect(objectId).toBe(`${ISSUER_ID}.${programId}.member.${c.replace(/_/g, '_5f')}`);

    const object = objectOf(objectId);
    expect(object).toMatchObject({
      classId: classIdFor(tiers.Bronze as string),
      state: 'ACTIVE',
      accountId: c,
      accountName: 'Ada Lovelace',
      loyaltyPoints: { label: 'Points', balance: { int: 0 } },
      barcode: { type: 'QR_CODE', value: c, alternateText: c },
      textModulesData: [
        { id: 'progress', header: 'Next tier', body: '1,000 points to Silver' },
        { id: 'rewards', header: 'Rewards', body: '• Bronze perks' },
      ],
    });
    const cls = h.standIn.classes.get(classIdFor(tiers.Bronze as string));
    expect(cls).toMatchObject({
      issuerName: 'Maison Lumière',
      programName: 'Maison Lumière',
      rewardsTier: 'Bronze',
      reviewStatus: 'UNDER_REVIEW',
      hexBackgroundColor: '#3c414c',
    });
    // The logo Google fetches is served publicly by the service, named by its content hash.
    const logoUrl = (cls?.programLogo as { sourceUri: { uri: string } } | undefined)?.sourceUri.uri ?? '';
    expect(logoUrl.startsWith(`${PUBLIC_URL}/wallet/google/images/template/`)).toBe(true);
    const logo = await request(h.app).get(logoUrl.slice(PUBLIC_URL.length));
    expect(logo.status).toBe(200);
    expect(logo.headers['content-type']).toBe('image/png');
    expect(logo.headers['cache-control']).toContain('immutable');

    // Every Wallet call carried a bearer token the token endpoint issued for the signed assertion.
    expect(h.standIn.tokenRequests.length).toBeGreaterThanOrEqual(1);
    expect(h.standIn.tokenRequests.at(-1)).toMatchObject({
      iss: CLIENT_EMAIL,
      scope: 'https://www.googleapis.com/auth/wallet_object.issuer',
    });
    const calls = h.standIn.requests.filter((r) => JSON.stringify(r.body).includes(c));
    expect(calls.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 200']);
    const issued = h.standIn.validTokens();
    for (const r of h.standIn.requests) {
      expect(r.status).not.toBe(401);
      expect(issued.has(r.authorization?.replace(/^Bearer /, '') ?? '')).toBe(true);
    }

    // Asking again changes nothing at Google: the object is current.
    const before = h.standIn.requests.length;
    const again = await saveLink(c);
    expect(again.objectId).toBe(objectId);
    expect(h.standIn.requests.length).toBe(before);
  });

  it("uses the tier's uploaded logo and hero, served publicly at content-hash URLs", async () => {
    const bronze = tiers.Bronze as string;
    const upload = (slot: string, body: Buffer) =>
      request(h.app)
        .put(`/v1/tiers/${bronze}/artwork/${slot}`)
        .set(auth)
        .set('Content-Type', 'image/png')
        .send(body)
        .expect(200);
    const logo = await upload('logo', await png(200, 200));
    const hero = await upload('hero', await png(1032, 336, { r: 10, g: 90, b: 160 }));
    const c = await newCustomer();
    await saveLink(c);
    const cls = h.standIn.classes.get(classIdFor(bronze)) as Record<string, { sourceUri: { uri: string } }>;
    const base = `${PUBLIC_URL}/wallet/google/images/${programId}/${bronze}`;
    expect(cls.programLogo?.sourceUri.uri).toBe(`${base}/${logo.body.hash}/google-program-logo.png`);
    expect(cls.heroImage?.sourceUri.uri).toBe(`${base}/${hero.body.hash}/google-hero.png`);
    for (const url of [cls.programLogo?.sourceUri.uri, cls.heroImage?.sourceUri.uri]) {
      // No API key: Google fetches these.
      const res = await request(h.app).get((url as string).slice(PUBLIC_URL.length));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
    }
    const heroPng = await request(h.app).get(String(cls.heroImage?.sourceUri.uri).slice(PUBLIC_URL.length));
    expect((heroPng.body as Buffer).subarray(16, 24).readUInt32BE(0)).toBe(1032);
    // Another upload replaces the image: the class is patched with the new URL, the old one is gone.
    const newer = await upload('hero', await png(1100, 400, { r: 200, g: 90, b: 10 }));
    await order(c, 100);
    await h.dispatcher.dispatch();
    expect(cls.heroImage?.sourceUri.uri).toBe(`${base}/${newer.body.hash}/google-hero.png`);
    const stale = await request(h.app).get(
      `/wallet/google/images/${programId}/${bronze}/${hero.body.hash}/google-hero.png`,
    );
    expect(stale.status).toBe(404);
    expect(stale.body.error.code).toBe('image_not_found');
  });

  it('answers 404 customer_not_found and sends nothing for an unknown customer', async () => {
    const before = h.standIn.requests.length;
    const res = await request(h.app)
      .get(`/v1/customers/${uid('nobody')}/passes/google`)
      .set(auth);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('customer_not_found');
    expect(h.standIn.requests.length).toBe(before);
  });

  it('answers 502 google_wallet_unavailable while the API fails, and works once it is back', async () => {
    const c = await newCustomer();
    h.standIn.failNext(1, 503);
    const res = await request(h.app).get(`/v1/customers/${c}/passes/google`).set(auth);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('google_wallet_unavailable');
    const { objectId } = await saveLink(c);
    expect(objectOf(objectId).accountId).toBe(c);
  });

  it('puts customers of hidden tiers (and without a tier) on the program default class, without a tier name', async () => {
    await request(h.app).patch(`/v1/tiers/${tiers.Bronze}`).set(auth).send({ visible: false }).expect(200);
    const c = await newCustomer();
    const { objectId } = await saveLink(c);
    expect(objectOf(objectId).classId).toBe(classIdFor(null));
    const cls = h.standIn.classes.get(classIdFor(null));
    expect(cls).toBeDefined();
    expect(cls?.rewardsTier).toBeUndefined();
    // Rewards of the hidden tier still show on the customer's own object.
    expect(objectOf(objectId).textModulesData).toEqual([
      { id: 'progress', header: 'Next tier', body: '1,000 points to Silver' },
      { id: 'rewards', header: 'Rewards', body: '• Bronze perks' },
    ]);
  });

  it('shows a Save to Google Wallet button on the shopper page, which creates the object and redirects', async () => {
    const c = await newCustomer();
    const link = await request(h.app).get(`/v1/customers/${c}/passes/link`).set(auth);
    expect(link.status).toBe(200);
    const path = new URL(link.body.url).pathname;
    const page = await request(h.app).get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="${path}/google"`);
    expect(page.text).toContain('Save to Google Wallet');
    const redirect = await request(h.app).get(`${path}/google`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\//);
    const jwt = (redirect.headers.location as string).split('/').at(-1) as string;
    const objectId = (
      verifyJwt(jwt, h.account.publicKey).claims.payload as { loyaltyObjects: { id: string }[] }
    ).loyaltyObjects[0]?.id as string;
    expect(objectOf(objectId).accountId).toBe(c);
  });
});

describe('updates through the outbox', () => {
  it('patches the object on an upgrade and adds a notifying message; a balance change patches without one', async () => {
    const c = await newCustomer();
    const { objectId } = await saveLink(c);
    await order(c, 10000); // 1,000 points → Silver
    const report = await h.dispatcher.dispatch();
    expect(report).toMatchObject({ synced: 1, notified: 1, texts: 0, retried: 0, failed: 0 });
    const object = objectOf(objectId);
    expect(object.classId).toBe(classIdFor(tiers.Silver as string));
    expect(object.loyaltyPoints).toEqual({ label: 'Points', balance: { int: 1000 } });
    expect(h.standIn.classes.get(classIdFor(tiers.Silver as string))).toMatchObject({
      rewardsTier: 'Silver',
    });
    expect(object.messages).toEqual([
      {
        id: expect.stringMatching(/^tier-/),
        header: "You're now Silver",
        body: 'Congratulations! You reached Silver at Maison Lumière. 1,000 points to Gold.',
        messageType: 'TEXT_AND_NOTIFY',
        // Shown for 30 days, then gone from the pass's message list.
        displayInterval: {
          start: { date: '2026-03-10T09:00:00.000Z' },
          end: { date: '2026-04-09T09:00:00.000Z' },
        },
      },
    ]);

    await order(c, 2000); // +200 points, still Silver
    expect(await h.dispatcher.dispatch()).toMatchObject({ synced: 1, notified: 0, texts: 0 });
    expect(objectOf(objectId).loyaltyPoints).toEqual({ label: 'Points', balance: { int: 1200 } });
    expect(objectOf(objectId).messages).toHaveLength(1);
    expect(objectOf(objectId).textModulesData).toContainEqual({
      id: 'progress',
      header: 'Next tier',
      body: '800 points to Gold',
    });
  });

  it('sends the fourth tier change within 24 hours as TEXT, and notifies again 24 hours later', async () => {
    const c = await newCustomer();
    const { objectId } = await saveLink(c);
    let lastOrder = '';
    for (let i = 0; i < 4; i++) {
      lastOrder = (await order(c, 10000)).order.id; // Silver, Gold, Platinum, Diamond
      await h.dispatcher.dispatch();
    }
    const messages = objectOf(objectId).messages ?? [];
    expect(messages.map((m) => [m.header, m.messageType])).toEqual([
      ["You're now Silver", 'TEXT_AND_NOTIFY'],
      ["You're now Gold", 'TEXT_AND_NOTIFY'],
      ["You're now Platinum", 'TEXT_AND_NOTIFY'],
      ["You're now Diamond", 'TEXT'],
    ]);
    expect(await notificationsTaken(programId, c, temp?.url)).toBe(3);
    // A downgrade 24 hours later notifies again: a full refund takes the points back.
    clock.set(new Date('2026-03-11T09:00:00Z'));
    await request(h.app)
      .post(`/v1/orders/${lastOrder}/refunds`)
      .set(auth)
      .send({ id: uid('refund'), amount: 10000 })
      .expect(201);
    expect(await h.dispatcher.dispatch()).toMatchObject({ synced: 1, notified: 1, texts: 0 });
    expect((objectOf(objectId).messages ?? []).at(-1)).toMatchObject({
      header: 'Your tier is now Platinum',
      messageType: 'TEXT_AND_NOTIFY',
    });
    // The slots older than 24 hours were dropped when this one was taken.
    expect(await notificationsTaken(programId, c, temp?.url)).toBe(1);
  });

  it('retries a failing API with backoff until it succeeds', async () => {
    const c = await newCustomer();
    const { objectId } = await saveLink(c);
    await order(c, 10000);
    h.standIn.failNext(3, 500);
    const first = await h.dispatcher.dispatch();
    expect(first).toMatchObject({ synced: 0, retried: 1 });
    expect(objectOf(objectId).loyaltyPoints).toEqual({ label: 'Points', balance: { int: 0 } });
    let synced = 0;
    for (let i = 0; i < 100 && synced === 0; i++) {
      await sleep(25);
      synced = (await h.dispatcher.dispatch()).synced;
    }
    expect(synced).toBe(1);
    expect(objectOf(objectId).loyaltyPoints).toEqual({ label: 'Points', balance: { int: 1000 } });
    expect((objectOf(objectId).messages ?? []).map((m) => m.messageType)).toEqual(['TEXT_AND_NOTIFY']);
    expect(h.standIn.requests.filter((r) => r.status === 500)).toHaveLength(3);
    // Delivered once: nothing is left due.
    await sleep(50);
    expect(await h.dispatcher.dispatch()).toMatchObject({ synced: 0, retried: 0 });
  });

  it('records a permanent refusal (4xx) on the object and does not retry it', async () => {
    const c = await newCustomer();
    await saveLink(c);
    await order(c, 2000);
    h.standIn.failNext(1, 400);
    expect(await h.dispatcher.dispatch()).toMatchObject({ failed: 1, retried: 0 });
    const row = await h.store.scoped(programId).googleWallet.object(c);
    expect(row?.lastError).toMatch(/400 stand-in told to fail/);
    await sleep(50);
    expect(await h.dispatcher.dispatch()).toMatchObject({ synced: 0, failed: 0, retried: 0 });
    // The next change brings the object up to date and clears the error.
    await order(c, 2000);
    expect(await h.dispatcher.dispatch()).toMatchObject({ synced: 1 });
    expect((await h.store.scoped(programId).googleWallet.object(c))?.lastError).toBeNull();
  });

  it('inserts the object again when Google no longer knows it (404 on patch)', async () => {
    const c = await newCustomer();
    const { objectId } = await saveLink(c);
    h.standIn.objects.delete(objectId);
    await order(c, 2000);
    expect(await h.dispatcher.dispatch()).toMatchObject({ synced: 1, failed: 0 });
    const calls = h.standIn.requests.filter(
      (r) =>
        r.path.endsWith(encodeURIComponent(objectId)) ||
        (r.method === 'POST' && (r.body as { id?: string }).id === objectId),
    );
    expect(calls.slice(-2).map((r) => `${r.method} ${r.status}`)).toEqual(['PATCH 404', 'POST 200']);
    expect(objectOf(objectId).loyaltyPoints).toEqual({ label: 'Points', balance: { int: 200 } });
  });

  it('patches the class when the tier design changes, without waiting for a customer update', async () => {
    const c = await newCustomer();
    await saveLink(c);
    await request(h.app)
      .put(`/v1/tiers/${tiers.Bronze}/design`)
      .set(auth)
      .send({ backgroundColor: '#112233', logoText: 'Lumière' })
      .expect(200);
    // The design change itself queued the tier's members' updates: no order needed.
    await h.dispatcher.dispatch();
    expect(h.standIn.classes.get(classIdFor(tiers.Bronze as string))).toMatchObject({
      hexBackgroundColor: '#112233',
      programName: 'Lumière',
    });
  });

  it('queues nothing for a customer without a Google object', async () => {
    const c = await newCustomer();
    await order(c, 10000);
    expect(await googleRowsOf(programId, c, temp?.url)).toBe(0);
  });

  it('updates objects changed by a batch run (full sync)', async () => {
    // A customer placed by no tier yet: the default class.
    for (const id of Object.values(tiers)) await request(h.app).delete(`/v1/tiers/${id}`).set(auth);
    const c = await newCustomer();
    const { objectId } = await saveLink(c);
    expect(objectOf(objectId).classId).toBe(classIdFor(null));
    await h.dispatcher.dispatch();
    const member = await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Member' });
    const started = await request(h.app).post('/v1/sync').set(auth);
    expect(started.status).toBe(202);
    for (let i = 0; i < 100; i++) {
      const job = await request(h.app).get(`/v1/jobs/${started.body.jobId}`).set(auth);
      if (job.body.state === 'done') break;
      await sleep(50);
    }
    expect(await h.dispatcher.dispatch()).toMatchObject({ synced: 1, notified: 1 });
    expect(objectOf(objectId).classId).toBe(classIdFor(member.body.id));
    expect((objectOf(objectId).messages ?? []).at(-1)).toMatchObject({ header: "You're now Member" });
  });

  it('runs from a test clock advance like the scheduler', async () => {
    const res = await request(h.app)
      .post('/v1/programs')
      .set('Authorization', 'Bearer test-admin-token-0123456789')
      .send({
        name: 'Rehearsal',
        mode: 'test',
        clockStart: '2026-01-01T00:00:00Z',
        earning: { pointsPerUnit: 10 },
      });
    const testAuth = { Authorization: `Bearer ${res.body.apiKey}` };
    await request(h.app).post('/v1/tiers').set(testAuth).send({ title: 'Base' }).expect(201);
    const c = uid('cust');
    await request(h.app).put(`/v1/customers/${c}`).set(testAuth).send({}).expect(201);
    const link = await request(h.app).get(`/v1/customers/${c}/passes/google`).set(testAuth);
    const jwt = (link.body.saveUrl as string).split('/').at(-1) as string;
    const objectId = (
      verifyJwt(jwt, h.account.publicKey).claims.payload as { loyaltyObjects: { id: string }[] }
    ).loyaltyObjects[0]?.id as string;
    await request(h.app)
      .post('/v1/orders')
      .set(testAuth)
      .send({ id: uid('order'), customerId: c, amount: 5000 })
      .expect(201);
    const advanced = await request(h.app)
      .post('/v1/test-clock/advance')
      .set(testAuth)
      .send({ to: '2026-01-02T00:00:00Z' });
    expect(advanced.status).toBe(200);
    expect(objectOf(objectId).loyaltyPoints).toEqual({ label: 'Points', balance: { int: 500 } });
  });
});

describe('the stand-in checks the bearer token', () => {
  it('refuses requests without a token it issued, and the client fetches a new token when its own is revoked', async () => {
    const noToken = await fetch(`${h.standIn.apiRoot}/loyaltyClass/${ISSUER_ID}.x`);
    expect(noToken.status).toBe(401);
    const forged = await fetch(`${h.standIn.apiRoot}/loyaltyClass/${ISSUER_ID}.x`, {
      headers: { authorization: 'Bearer forged' },
    });
    expect(forged.status).toBe(401);

    const c = await newCustomer();
    await saveLink(c);
    const tokens = h.standIn.tokenRequests.length;
    h.standIn.revokeTokens();
    await order(c, 2000);
    expect(await h.dispatcher.dispatch()).toMatchObject({ synced: 1 });
    expect(h.standIn.tokenRequests.length).toBe(tokens + 1);
    expect(h.standIn.requests.at(-2)?.status).toBe(401);
    expect(h.standIn.requests.at(-1)).toMatchObject({ method: 'PATCH', status: 200 });
  });
});
