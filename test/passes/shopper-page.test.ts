/** The shopper page of a pass link (issue 11 item 7): card image, tier, points, progress, buttons, friendly errors. */
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { uid } from '../support/harness.js';
import { createBronzeGoldProgram, type PassHarness, startPassHarness } from './pass-harness.js';
import { decodeQr } from './qr-decode.js';

let h: PassHarness;
let auth: { Authorization: string };
const lines: string[] = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  h = await startPassHarness({ logger: pino({ level: 'info' }, sink) });
});
afterAll(() => h.close());
beforeEach(async () => {
  auth = await createBronzeGoldProgram(h);
});

async function linkOf(customerId: string): Promise<string> {
  const res = await request(h.app).get(`/v1/customers/${customerId}/passes/link`).set(auth);
  return new URL(res.body.url).pathname;
}

describe('shopper page', () => {
  it('shows the card image, tier, points, progress bar and the Apple button in the program colours', async () => {
    await request(h.app).put('/v1/program/design').set(auth).send({ backgroundColor: '#112233' }).expect(200);
    const id = uid('cust');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({ name: 'Ada' });
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: id, amount: 100000 })
      .expect(201);
    const path = await linkOf(id);
    const page = await request(h.app).get(path).set('Accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const html = page.text;
    expect(html).toContain('Add to Apple Wallet');
    expect(html).not.toContain('Google Wallet');
    expect(html).toContain('Bronze');
    expect(html).toContain('1,000');
    expect(html).toMatch(/2,000 points to Gold/);
    expect(html).toMatch(/<progress max="100" value="33" aria-labelledby="progress-text">/);
    expect(html).toContain('background:rgb(17, 34, 51)');
    expect(html).toMatch(/<img class="card" src="\.\/[^"]+\/card\.png"[^>]* alt="Your Maison Lumi/);
    // Self-contained: no external resource, no script.
    expect(html).not.toMatch(/<script|https?:\/\//);

    const card = await request(h.app).get(`${path}/card.png`);
    expect(card.status).toBe(200);
    expect(card.headers['content-type']).toBe('image/png');
    expect(await decodeQr(card.body)).toBe(id);
    const again = await request(h.app)
      .get(`${path}/card.png`)
      .set('If-None-Match', String(card.headers.etag));
    expect(again.status).toBe(304);
    // The token never reaches the log.
    const token = path.split('/')[2] as string;
    const logged = lines.join('');
    expect(logged).toContain('/passes/[redacted]/card.png');
    expect(logged).not.toContain(token);
  });

  it('answers bad links with a friendly HTML page when a browser asks, JSON otherwise', async () => {
    const id = uid('cust');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({});
    const path = await linkOf(id);
    const tampered = `${path.slice(0, -2)}xx`;
    for (const p of [tampered, `${tampered}/card.png`, `${tampered}/apple.pkpass`]) {
      const html = await request(h.app).get(p).set('Accept', 'text/html,application/xhtml+xml');
      expect(html.status).toBe(404);
      expect(html.headers['content-type']).toMatch(/text\/html/);
      expect(html.text).toContain('This card link does not work');
    }
    const json = await request(h.app).get(tampered).set('Accept', 'application/json');
    expect([json.status, json.body.error.code]).toEqual([404, 'pass_link_invalid']);
  });
});
