import { createHash } from 'node:crypto';
import request from 'supertest';
import { ADMIN_TOKEN, uid } from '../support/harness.js';
import {
  fetchPass,
  openPkpass,
  PASS_TYPE_ID,
  type PassHarness,
  PUBLIC_URL,
  startPassHarness,
  verifySignature,
} from './pass-harness.js';

let h: PassHarness;
let auth: { Authorization: string };
let programId: string;
let bronze: string;
let gold: string;

beforeAll(async () => {
  h = await startPassHarness();
});
afterAll(() => h.close());

beforeEach(async () => {
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Maison Lumière', currency: 'EUR', earning: { pointsPerUnit: 1 } });
  auth = { Authorization: `Bearer ${res.body.apiKey}` };
  programId = res.body.program.id;
  bronze = (
    await request(h.app)
      .post('/v1/tiers')
      .set(auth)
      .send({ title: 'Bronze', benefits: { rewards: ['Birthday gift'] } })
  ).body.id;
  gold = (
    await request(h.app)
      .post('/v1/tiers')
      .set(auth)
      .send({
        title: 'Gold',
        qualifications: [{ type: 'lifetimePoints', minPoints: 3000 }],
        benefits: { rewards: ['Free shipping', 'Early access'] },
      })
  ).body.id;
});

async function customer(name = 'Ada Lovelace'): Promise<string> {
  const id = uid('cust');
  expect((await request(h.app).put(`/v1/customers/${id}`).set(auth).send({ name })).status).toBeLessThan(300);
  return id;
}

async function earn(customerId: string, points: number): Promise<void> {
  const res = await request(h.app)
    .post(`/v1/customers/${customerId}/points`)
    .set(auth)
    .set('Idempotency-Key', uid('earn'))
    .send({ points, reason: 'test' });
  expect(res.status).toBeLessThan(300);
}

async function applePass(customerId: string) {
  const res = await fetchPass(h, `/v1/customers/${customerId}/passes/apple`, auth);
  expect(res.status).toBe(200);
  return { res, ...openPkpass(res.body as Buffer) };
}

describe('Apple Wallet pass', () => {
  it('is a signed storeCard whose manifest covers every file', async () => {
    const id = await customer();
    await earn(id, 1750);
    const { res, files, pass } = await applePass(id);
    expect(res.headers['content-type']).toBe('application/vnd.apple.pkpass');
    expect(new Date(res.headers['last-modified'] as string).getTime()).not.toBeNaN();

    await expect(verifySignature(h, files)).resolves.toMatch(/Verification successful/);
    const manifest = JSON.parse((files['manifest.json'] as Buffer).toString('utf8')) as Record<
      string,
      string
    >;
    const content = Object.keys(files).filter((f) => f !== 'manifest.json' && f !== 'signature');
    expect(Object.keys(manifest).sort()).toEqual(content.sort());
    for (const f of content) {
      expect(manifest[f]).toBe(
        createHash('sha1')
          .update(files[f] as Buffer)
          .digest('hex'),
      );
    }
    expect(content).toEqual(
      expect.arrayContaining([
        'pass.json',
        'icon.png',
        'logo.png',
        'en.lproj/pass.strings',
        'fr.lproj/pass.strings',
      ]),
    );

    expect(pass).toMatchObject({
      formatVersion: 1,
      passTypeIdentifier: PASS_TYPE_ID,
      teamIdentifier: 'TEAMID0000',
      organizationName: 'Maison Lumière',
      webServiceURL: `${PUBLIC_URL}/wallet/apple`,
      serialNumber: expect.stringMatching(new RegExp(`^${programId}\\.`)),
      barcodes: [expect.objectContaining({ format: 'PKBarcodeFormatQR', message: id })],
    });
    expect(pass.authenticationToken.length).toBeGreaterThanOrEqual(22);
    const card = pass.storeCard;
    expect(card.headerFields).toEqual([expect.objectContaining({ key: 'tier', value: 'Bronze' })]);
    expect(card.primaryFields).toEqual([
      expect.objectContaining({ key: 'points', value: 1750, changeMessage: 'You now have %@ points' }),
    ]);
    expect(card.secondaryFields).toEqual([
      expect.objectContaining({ key: 'progress', value: '1,250 points to Gold' }),
    ]);
    expect(card.auxiliaryFields).toEqual([expect.objectContaining({ value: 'Ada Lovelace' })]);
    expect(card.backFields).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'rewards', value: '• Birthday gift' })]),
    );
    const fr = (files['fr.lproj/pass.strings'] as Buffer).toString('utf8');
    expect(fr).toContain('"You now have %@ points" = "Vous avez maintenant %@ points";');
    expect(fr).toMatch(/"1,250 points to Gold" = "1\s250 points pour Gold";/);
  });

  it('keeps the serial and token of a customer, and differs between customers', async () => {
    const a = await customer();
    const first = (await applePass(a)).pass;
    const second = (await applePass(a)).pass;
    expect(second.serialNumber).toBe(first.serialNumber);
    expect(second.authenticationToken).toBe(first.authenticationToken);
    const other = (await applePass(await customer())).pass;
    expect(other.serialNumber).not.toBe(first.serialNumber);
    expect(other.authenticationToken).not.toBe(first.authenticationToken);
  });

  it('shows the new tier design after an upgrade and serves unchanged passes from the cache', async () => {
    const design = await request(h.app)
      .put(`/v1/tiers/${gold}/design`)
      .set(auth)
      .send({
        backgroundColor: '#D4AF37',
        foregroundColor: 'rgb(20, 20, 20)',
        logoText: 'Gold Club',
        labels: { points: 'Étoiles' },
      });
    expect(design.status).toBe(200);
    expect(design.body.design).toMatchObject({
      backgroundColor: 'rgb(212, 175, 55)',
      foregroundColor: 'rgb(20, 20, 20)',
    });

    const id = await customer();
    const before = await applePass(id);
    expect(before.pass.backgroundColor).toBe('rgb(60, 65, 76)');

    const builds = h.passes.stats.builds;
    const again = await applePass(id);
    expect(h.passes.stats.builds).toBe(builds);
    expect(again.res.body).toEqual(before.res.body);
    expect(again.res.headers['last-modified']).toBe(before.res.headers['last-modified']);

    await earn(id, 3000);
    const after = await applePass(id);
    expect(h.passes.stats.builds).toBe(builds + 1);
    expect(after.pass.serialNumber).toBe(before.pass.serialNumber);
    expect(after.pass).toMatchObject({ backgroundColor: 'rgb(212, 175, 55)', logoText: 'Gold Club' });
    expect(after.pass.storeCard.headerFields[0]).toMatchObject({ value: 'Gold' });
    expect(after.pass.storeCard.primaryFields[0]).toMatchObject({ label: 'Étoiles', value: 3000 });
    expect(after.pass.storeCard.backFields[0]).toMatchObject({ value: '• Free shipping\n• Early access' });
    await expect(verifySignature(h, after.files)).resolves.toMatch(/Verification successful/);
  });

  it('signs a pass once when it is fetched concurrently', async () => {
    const id = await customer();
    const builds = h.passes.stats.builds;
    const all = await Promise.all([1, 2, 3, 4].map(() => applePass(id)));
    expect(h.passes.stats.builds).toBe(builds + 1);
    for (const r of all) expect(r.res.body).toEqual(all[0]?.res.body);
  });

  it('shows the default design and no tier name for a hidden tier', async () => {
    await request(h.app).put(`/v1/tiers/${gold}/design`).set(auth).send({ backgroundColor: '#D4AF37' });
    await request(h.app).patch(`/v1/tiers/${gold}`).set(auth).send({ visible: false });
    const id = await customer();
    await earn(id, 3500);
    expect((await request(h.app).get(`/v1/customers/${id}`).set(auth)).body.tier.id).toBe(gold);
    const { pass, files } = await applePass(id);
    expect(pass.backgroundColor).toBe('rgb(60, 65, 76)');
    expect(pass.storeCard.headerFields).toEqual([]);
    expect(JSON.stringify(pass)).not.toContain('Gold');
    expect((files['en.lproj/pass.strings'] as Buffer).toString('utf8')).not.toContain('Gold');
  });

  it('404s for an unknown customer', async () => {
    const res = await request(h.app).get('/v1/customers/nobody/passes/apple').set(auth);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('customer_not_found');
    expect(bronze).toBeDefined();
  });
});
