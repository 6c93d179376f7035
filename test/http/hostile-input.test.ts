/**
 * Issue 10 item 4 and the lone-surrogate point of item 6: each malformed request the fuzzer
 * found answered 5xx (or was silently altered); each must be a 4xx with a stable code and write
 * nothing. The property-based sweep over every operation is in input-fuzz.test.ts.
 */
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { type PassHarness, startPassHarness } from '../passes/pass-harness.js';
import { ADMIN_TOKEN, createProgram, uid } from '../support/harness.js';

let h: PassHarness;
let auth: { Authorization: string };

beforeAll(async () => {
  h = await startPassHarness({ app: { webhooks: { policy: { allowLoopback: true, allowPrivate: false } } } });
  auth = (await createProgram(h)).auth;
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const api = () => request(h.app);
/** superagent would JSON-encode a Buffer sent as application/json: send its bytes instead. */
const asIs = (body: unknown) => body as string;

async function newCustomer(points = 0): Promise<string> {
  const id = uid('c');
  expect((await api().put(`/v1/customers/${id}`).set(auth).send({ name: 'Ann' })).status).toBe(201);
  if (points > 0) {
    const res = await api()
      .post(`/v1/customers/${id}/points`)
      .set(auth)
      .set('Idempotency-Key', uid('k'))
      .send({ points, reason: 'seed' });
    expect(res.status).toBe(201);
  }
  return id;
}

async function customerStatus(id: string): Promise<number> {
  return (await api().get(`/v1/customers/${id}`).set(auth)).status;
}

describe('Content-Encoding on a body that is not encoded that way', () => {
  it.each(['gzip', 'deflate', 'br'])(
    '%s: 400 invalid_body_encoding, without credentials too',
    async (enc) => {
      const res = await api()
        .post('/v1/programs')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', enc)
        .send('{"name":"x"}');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_body_encoding');
    },
  );

  it('refuses an authenticated upsert and writes nothing; a real gzip body still works', async () => {
    const id = uid('c');
    const bad = await api()
      .put(`/v1/customers/${id}`)
      .set(auth)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send('{"name":"Ann"}');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_body_encoding');
    expect(await customerStatus(id)).toBe(404);

    const good = await api()
      .put(`/v1/customers/${id}`)
      .set(auth)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize(asIs)
      .send(gzipSync('{"name":"Ann"}'));
    expect(good.status).toBe(201);
    expect(good.body.name).toBe('Ann');
  });

  it('an unknown encoding is 415 unsupported_media_type', async () => {
    const res = await api()
      .post('/v1/programs')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'compress')
      .send('{"name":"x"}');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('an image upload with a false gzip header is 400', async () => {
    const tier = await api()
      .post('/v1/tiers')
      .set(auth)
      .send({ title: 'Gold', qualifications: [{ type: 'lifetimePoints', minPoints: 100 }] });
    expect(tier.status).toBe(201);
    const res = await api()
      .put(`/v1/tiers/${tier.body.id}/artwork/logo`)
      .set(auth)
      .set('Content-Type', 'image/png')
      .set('Content-Encoding', 'gzip')
      .send(Buffer.from('not gzip at all'));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_body_encoding');
  });
});

describe('broken %-escapes in path parameters', () => {
  it.each(['/passes/%ff', '/passes/%e0%80', '/passes/%', '/wallet/apple/v1/passes/%c3/x'])(
    'GET %s without credentials: 400 validation_failed',
    async (path) => {
      const res = await api().get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    },
  );

  it('in the query string: 400 validation_failed, not decoded to U+FFFD', async () => {
    const id = await newCustomer();
    for (const q of ['cursor=%ff', 'cursor=1%', 'limit=%e0%80']) {
      const res = await api().get(`/v1/customers/${id}/ledger?${q}`).set(auth);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([
        expect.objectContaining({ path: 'query', code: 'invalid_encoding' }),
      ]);
    }
    const unauth = await api().get('/wallet/apple/v1/devices/d/registrations/p?passesUpdatedSince=%ff');
    expect(unauth.status).toBe(400);
  });

  it('with request logging on (which reads the query too) the answer is the same 400', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const { app } = buildApp({
      store: h.store,
      clock: { now: () => new Date() },
      logger,
      adminToken: ADMIN_TOKEN,
    });
    const res = await request(app).get('/v1/customers/x/ledger?cursor=%ff').set(auth);
    expect(res.status).toBe(400);
    expect(lines.some((l) => l.includes('request completed'))).toBe(true);
  });

  it('an authenticated upsert at /v1/customers/%ff writes nothing', async () => {
    const res = await api().put('/v1/customers/%ff').set(auth).send({ name: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });
});

describe('NUL characters', () => {
  it('in a body string: 400 naming the field, nothing stored', async () => {
    const id = uid('c');
    const res = await api().put(`/v1/customers/${id}`).set(auth).send({ name: 'a\u0000b' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.name' })]);
    expect(await customerStatus(id)).toBe(404);
  });

  it('in a path parameter (GET /v1/jobs/%00): 400 naming it', async () => {
    const res = await api().get('/v1/jobs/%00').set(auth);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'params.jobId' })]);
  });

  it('in a query parameter and in an object key', async () => {
    const id = await newCustomer();
    const q = await api().get(`/v1/customers/${id}/ledger?cursor=1%00`).set(auth);
    expect(q.status).toBe(400);
    expect(q.body.error.details).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
    const k = await api().post('/v1/tiers').set(auth).send({ title: 'T', qualifications: [], 'x\u0000': 1 });
    expect(k.status).toBe(400);
    expect(k.body.error.code).toBe('validation_failed');
  });
});

describe('lone surrogates are refused, not turned into U+FFFD', () => {
  it('a redemption with reward "\\ud800": 400 body.reward, balance and ledger unchanged', async () => {
    const id = await newCustomer(500);
    const res = await api()
      .post(`/v1/customers/${id}/redemptions`)
      .set(auth)
      .set('Idempotency-Key', uid('k'))
      .send({ points: 100, reward: '\ud800' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.reward' })]);
    const customer = await api().get(`/v1/customers/${id}`).set(auth);
    expect(customer.body.balances.current).toBe(500);
    const ledger = await api().get(`/v1/customers/${id}/ledger`).set(auth);
    expect(ledger.body.data).toHaveLength(1);
  });

  it('in a customer name (high or low half alone) and in a webhook URL', async () => {
    for (const name of ['Ann\ud83d', '\udc00Ann', 'a\udc00\ud800b']) {
      const id = uid('c');
      const res = await api().put(`/v1/customers/${id}`).set(auth).send({ name });
      expect(res.status).toBe(400);
      expect(await customerStatus(id)).toBe(404);
    }
    const hook = await api()
      .post('/v1/webhooks')
      .set(auth)
      .send({ url: 'http://127.0.0.1:9/\udfff', events: ['tier.upgraded'] });
    expect(hook.status).toBe(400);
    expect(hook.body.error.details).toEqual([expect.objectContaining({ path: 'body.url' })]);
  });

  it('a proper surrogate pair is kept as sent', async () => {
    const id = uid('c');
    const res = await api().put(`/v1/customers/${id}`).set(auth).send({ name: 'Ann 😀' });
    expect(res.status).toBe(201);
    expect((await api().get(`/v1/customers/${id}`).set(auth)).body.name).toBe('Ann 😀');
  });

  it('a body that is not valid UTF-8 is 400 invalid_json rather than altered', async () => {
    const res = await api()
      .put(`/v1/customers/${uid('c')}`)
      .set(auth)
      .set('Content-Type', 'application/json')
      .serialize(asIs)
      .send(Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });
});

describe('POST /wallet/apple/v1/log', () => {
  it('a 20,000-deep array is 400 invalid_json (depth bounded before parsing)', async () => {
    const deep = `{"logs":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const res = await api().post('/wallet/apple/v1/log').set('Content-Type', 'application/json').send(deep);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it('a log entry that is not a string is 400 validation_failed', async () => {
    const res = await api()
      .post('/wallet/apple/v1/log')
      .send({ logs: [{ toString: 1 }] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('string logs are accepted', async () => {
    expect(
      (
        await api()
          .post('/wallet/apple/v1/log')
          .send({ logs: ['a', 'b'] })
      ).status,
    ).toBe(200);
  });
});

describe('cursors and ids beyond int8', () => {
  const beyond = ['9999999999999999999', '9223372036854775808'];

  it.each(beyond)('ledger and tier-history cursor %s: 400', async (cursor) => {
    const id = await newCustomer();
    for (const what of ['ledger', 'tier-history']) {
      const res = await api().get(`/v1/customers/${id}/${what}?cursor=${cursor}`).set(auth);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
    }
  });

  it('deliveries cursor and redeliver deliveryId beyond int8: 400; at the maximum: 200 / 404', async () => {
    const hook = await api()
      .post('/v1/webhooks')
      .set(auth)
      .send({ url: 'http://127.0.0.1:9/hook', events: ['tier.upgraded'] });
    expect(hook.status).toBe(201);
    const base = `/v1/webhooks/${hook.body.id}/deliveries`;
    for (const big of beyond) {
      expect((await api().get(`${base}?cursor=${big}`).set(auth)).status).toBe(400);
      const re = await api().post(`${base}/${big}/redeliver`).set(auth);
      expect(re.status).toBe(400);
      expect(re.body.error.code).toBe('validation_failed');
    }
    expect((await api().get(`${base}?cursor=9223372036854775807`).set(auth)).status).toBe(200);
    expect((await api().post(`${base}/9223372036854775807/redeliver`).set(auth)).status).toBe(404);
  });
});

it('the admin route refuses NUL before anything is created', async () => {
  const name = `Shop ${uid('p')}`;
  const res = await api()
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: `${name}\u0000` });
  expect(res.status).toBe(400);
  expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.name' })]);
});

describe('instants outside years 1–9999 (found while fuzzing: a 500 from PostgreSQL)', () => {
  it.each(['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00'])(
    'an order placed at %s is 400, not stored',
    async (placedAt) => {
      const customerId = await newCustomer();
      const id = uid('o');
      const res = await api().post('/v1/orders').set(auth).send({ id, customerId, amount: 100, placedAt });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.placedAt' })]);
      const ledger = await api().get(`/v1/customers/${customerId}/ledger`).set(auth);
      expect(ledger.body.data).toEqual([]);
    },
  );

  it('a test program starting in year 0 is refused; year 1 works', async () => {
    const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    const zero = await api()
      .post('/v1/programs')
      .set(admin)
      .send({ name: 'Old', mode: 'test', clockStart: '0000-06-01T00:00:00Z' });
    expect(zero.status).toBe(400);
    const one = await createProgram(h, { mode: 'test', clockStart: '0001-01-01T00:00:00Z' });
    const customerId = uid('c');
    expect((await api().put(`/v1/customers/${customerId}`).set(one.auth).send({})).status).toBe(201);
    const order = await api()
      .post('/v1/orders')
      .set(one.auth)
      .send({ id: uid('o'), customerId, amount: 100 });
    expect(order.status).toBe(201);
  });

  it('analytics dates and cycle anchors in year 0 are 400', async () => {
    expect((await api().get('/v1/analytics/distribution?at=0000-12-31').set(auth)).status).toBe(400);
    expect((await api().get('/v1/analytics/movements?from=0000-01-01&to=0000-02-01').set(auth)).status).toBe(
      400,
    );
  });
});
