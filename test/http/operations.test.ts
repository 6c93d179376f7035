import request from 'supertest';
import { createProgram, type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('operational endpoints', () => {
  it('answers /healthz and /readyz with the database check', async () => {
    expect((await request(h.app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(h.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'ok', scheduler: 'ok' } });
  });

  it('serves Prometheus metrics that count requests by route pattern', async () => {
    const { auth } = await createProgram(h);
    await request(h.app).get('/v1/customers/nobody').set(auth);
    const res = await request(h.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(
      /tierpass_http_requests_total\{method="GET",route="\/v1\/customers\/:customerId",status="404"\} 1/,
    );
    expect(res.text).toContain('process_resident_memory_bytes');
  });

  it('counts event transactions and the events they committed in /metrics', async () => {
    const { auth } = await createProgram(h);
    const read = async (name: string) => {
      const text = (await request(h.app).get('/metrics')).text;
      return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    };
    const before = await read('tierpass_event_units_total');
    const transactionsBefore = await read('tierpass_event_transactions_total');
    await request(h.app).put('/v1/customers/metric-c').set(auth).send({}).expect(201);
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: 'metric-o', customerId: 'metric-c', amount: 1000 })
      .expect(201);
    expect(await read('tierpass_event_units_total')).toBe(before + 1);
    expect(await read('tierpass_event_transactions_total')).toBe(transactionsBefore + 1);
    expect(await read('tierpass_event_units_rerun_total')).toBeGreaterThanOrEqual(0);
  });

  it('gives every response a request id, keeping a well-formed incoming one', async () => {
    const own = await request(h.app).get('/healthz').set('X-Request-Id', 'abc-123');
    expect(own.headers['x-request-id']).toBe('abc-123');
    const generated = await request(h.app).get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('describes every contract path in /openapi.json', async () => {
    const res = await request(h.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const expected: [string, string][] = [
      ['/v1/programs', 'post'],
      ['/v1/program', 'get'],
      ['/v1/program', 'patch'],
      ['/v1/tiers', 'get'],
      ['/v1/tiers', 'post'],
      ['/v1/tiers/{tierId}', 'get'],
      ['/v1/tiers/{tierId}', 'patch'],
      ['/v1/tiers/{tierId}', 'delete'],
      ['/v1/tiers/order', 'put'],
      ['/v1/customers/{customerId}', 'put'],
      ['/v1/customers/{customerId}', 'get'],
      ['/v1/customers/{customerId}/ledger', 'get'],
      ['/v1/orders', 'post'],
      ['/v1/orders/{orderId}/refunds', 'post'],
      ['/v1/customers/{customerId}/points', 'post'],
      ['/v1/customers/{customerId}/redemptions', 'post'],
    ];
    for (const [path, method] of expected) expect(paths[path]?.[method]).toBeDefined();
    const order = paths['/v1/orders']?.post as {
      requestBody: { content: Record<string, { schema: { required: string[] } }> };
    };
    expect(order.requestBody.content['application/json']?.schema.required).toEqual(
      expect.arrayContaining(['id', 'customerId', 'amount']),
    );
  });
});

describe('errors', () => {
  it('maps unknown routes to 404 route_not_found', async () => {
    const res = await request(h.app).get('/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_not_found');
  });

  it('refuses malformed JSON with 400 invalid_json and no stack trace', async () => {
    const { auth } = await createProgram(h);
    const res = await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"id": "o1", ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts/);
  });

  it('refuses bodies over 1 MB with 413', async () => {
    const { auth } = await createProgram(h);
    const big = JSON.stringify({ id: 'o', customerId: 'c', amount: 1, pad: 'x'.repeat(1024 * 1024) });
    const res = await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send(big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('refuses a non-JSON body with 415', async () => {
    const { auth } = await createProgram(h);
    const res = await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .set('Content-Type', 'text/plain')
      .send('id=1');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('answers 401 for missing, malformed and unknown API keys', async () => {
    expect((await request(h.app).get('/v1/program')).status).toBe(401);
    expect((await request(h.app).get('/v1/program').set('Authorization', 'Basic abc')).status).toBe(401);
    const res = await request(h.app).get('/v1/program').set('Authorization', 'Bearer tp_live_unknown');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('turns an unexpected failure into 500 with an error id and no internals', async () => {
    const broken = await startHarness();
    const { auth } = await createProgram(broken);
    await broken.store.close();
    const res = await request(broken.app).get('/v1/program').set(auth);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: {
        code: 'internal_error',
        message: 'Internal error',
        errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
    const ready = await request(broken.app).get('/readyz');
    expect(ready.status).toBe(503);
  });
});
