import request from 'supertest';
import { ADMIN_TOKEN, uid } from '../support/harness.js';
import {
  fetchPass,
  openPkpass,
  type PassHarness,
  PUBLIC_URL,
  startPassHarness,
  verifySignature,
} from './pass-harness.js';

let h: PassHarness;
let auth: { Authorization: string };
let tierId: string;

beforeAll(async () => {
  h = await startPassHarness();
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Café <Noir> & Co', currency: 'USD' });
  auth = { Authorization: `Bearer ${res.body.apiKey}` };
  tierId = (await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Member' })).body.id;
});
afterAll(() => h.close());

async function linkOf(customerId: string): Promise<string> {
  const res = await request(h.app).get(`/v1/customers/${customerId}/passes/link`).set(auth);
  expect(res.status).toBe(200);
  expect(res.body.url).toMatch(new RegExp(`^${PUBLIC_URL}/passes/[\\w-]+\\.[\\w-]+$`));
  return new URL(res.body.url).pathname;
}

describe('shopper pass links', () => {
  it('opens the page and the pass without an API key', async () => {
    const id = uid('shopper');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({});
    const path = await linkOf(id);
    expect(await linkOf(id)).toBe(path);

    const page = await request(h.app).get(path);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Add to Apple Wallet');
    expect(page.text).toContain(`href="${path}/apple.pkpass"`);
    expect(page.text).toContain('Café &#60;Noir&#62; &#38; Co');

    const pkpass = await fetchPass(h, `${path}/apple.pkpass`);
    expect(pkpass.status).toBe(200);
    expect(pkpass.headers['content-type']).toBe('application/vnd.apple.pkpass');
    const { files, pass } = openPkpass(pkpass.body as Buffer);
    await expect(verifySignature(h, files)).resolves.toMatch(/Verification successful/);
    const merchant = openPkpass(
      (await fetchPass(h, `/v1/customers/${id}/passes/apple`, auth)).body as Buffer,
    );
    expect(pass.serialNumber).toBe(merchant.pass.serialNumber);
    expect(pass.authenticationToken).toBe(merchant.pass.authenticationToken);
  });

  it('refuses tampered and made-up tokens', async () => {
    const id = uid('shopper');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({});
    const path = await linkOf(id);
    const [payload, mac] = (path.split('/').pop() as string).split('.') as [string, string];
    const otherPayload = Buffer.from(JSON.stringify(['prg_other', id])).toString('base64url');
    const flipped = `${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const token of [
      `${otherPayload}.${mac}`,
      `${payload}.${flipped}`,
      payload,
      'nonsense',
      `${payload}.${mac}.x`,
      // Other spellings of the genuine link: padding, a character the decoder skips, other
      // unused trailing bits of the last character.
      `${payload}.${mac}=`,
      `${payload}.${mac.slice(0, 10)}!${mac.slice(10)}`,
      `${payload}=.${mac}`,
      `${payload}.${mac.slice(0, -1)}${String.fromCharCode(mac.charCodeAt(42) + 1)}`,
    ]) {
      const page = await request(h.app).get(`/passes/${token}`);
      expect(page.status).toBe(404);
      expect(page.body.error.code).toBe('pass_link_invalid');
      expect((await request(h.app).get(`/passes/${token}/apple.pkpass`)).status).toBe(404);
    }
  });

  it('needs the API key for the merchant endpoints', async () => {
    expect((await request(h.app).get('/v1/customers/x/passes/apple')).status).toBe(401);
    expect((await request(h.app).get('/v1/customers/x/passes/link')).status).toBe(401);
    expect((await request(h.app).get('/v1/customers/nobody/passes/link').set(auth)).status).toBe(404);
  });
});

describe('tier design validation', () => {
  it.each([
    [{ backgroundColor: 'gold' }, 'body.backgroundColor'],
    [{ foregroundColor: 'rgb(300, 0, 0)' }, 'body.foregroundColor'],
    [{ labelColor: '#12345' }, 'body.labelColor'],
    [{ logoText: '' }, 'body.logoText'],
    [{ logoText: 'x'.repeat(41) }, 'body.logoText'],
    [{ labels: { nickname: 'Hi' } }, 'body.labels'],
    [{ texts: { terms: 42 } }, 'body.texts.terms'],
    [{ stripColor: '#fff' }, 'body'],
  ])('400s on %j', async (body, path) => {
    const res = await request(h.app).put(`/v1/tiers/${tierId}/design`).set(auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('normalises colours, replaces the design and 404s for an unknown tier', async () => {
    const res = await request(h.app)
      .put(`/v1/tiers/${tierId}/design`)
      .set(auth)
      .send({
        backgroundColor: '#fc0',
        labelColor: 'RGB(1,2,3)',
        texts: { terms: 'Points expire after 2 years.' },
      });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      tierId,
      design: {
        backgroundColor: 'rgb(255, 204, 0)',
        labelColor: 'rgb(1, 2, 3)',
        texts: { terms: 'Points expire after 2 years.' },
      },
    });
    const replaced = await request(h.app)
      .put(`/v1/tiers/${tierId}/design`)
      .set(auth)
      .send({ logoText: 'Club' });
    expect(replaced.body.design).toEqual({ logoText: 'Club' });
    expect((await request(h.app).get(`/v1/tiers/${tierId}`).set(auth)).body.design).toEqual({
      logoText: 'Club',
    });
    expect((await request(h.app).put('/v1/tiers/tier_nope/design').set(auth).send({})).status).toBe(404);
  });
});
