/** Routes with a raw (non-JSON) body: read after auth, limited, other content types refused. */
import { pino } from 'pino';
import request from 'supertest';
import { unauthorized } from '../../src/errors.js';
import { createHttpApp } from '../../src/http/app.js';
import { createHttpMetrics } from '../../src/http/metrics.js';
import type { Authenticator } from '../../src/http/route.js';

const seen: { length: number; type: string | undefined }[] = [];
const authenticator: Authenticator = {
  async program() {
    throw unauthorized();
  },
  admin(req) {
    if (req.headers.authorization !== 'Bearer ok') throw unauthorized();
  },
};

const { app, api } = createHttpApp({
  logger: pino({ level: 'silent' }),
  authenticator,
  metrics: createHttpMetrics(),
  readiness: {},
  trustProxy: false,
  version: 'test',
  registerRoutes(api) {
    api.add({
      method: 'put',
      path: '/blobs',
      summary: 'Store a blob',
      tag: 'Test',
      auth: 'admin',
      rawBody: {
        contentTypes: ['image/png', 'application/octet-stream'],
        description: 'Bytes',
        maxBytes: 16,
        tooLargeCode: 'blob_too_large',
      },
      responses: { 200: { description: 'Size' } },
      async handler({ raw, req }) {
        seen.push({ length: raw?.length ?? -1, type: req.headers['content-type'] });
        return { status: 200, body: { bytes: raw?.length } };
      },
    });
  },
});
const admin = { Authorization: 'Bearer ok' };

beforeEach(() => {
  seen.length = 0;
});

describe('raw body routes', () => {
  it('hands the handler the bytes of a listed content type', async () => {
    const res = await request(app)
      .put('/blobs')
      .set(admin)
      .set('Content-Type', 'image/png')
      .send(Buffer.from([1, 2, 3]));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ bytes: 3 });
  });

  it('reads no body as an empty buffer', async () => {
    const res = await request(app).put('/blobs').set(admin);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ bytes: 0 });
  });

  it('answers 413 with the route code before calling the handler', async () => {
    const res = await request(app)
      .put('/blobs')
      .set(admin)
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.alloc(17));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('blob_too_large');
    expect(seen).toEqual([]);
  });

  it('refuses other content types with 415, JSON included', async () => {
    const text = await request(app).put('/blobs').set(admin).set('Content-Type', 'text/plain').send('abc');
    expect(text.status).toBe(415);
    expect(text.body.error).toMatchObject({ code: 'unsupported_media_type' });
    const json = await request(app).put('/blobs').set(admin).send({ a: 1 });
    expect(json.status).toBe(415);
    expect(seen).toEqual([]);
  });

  it('authenticates before reading the body', async () => {
    const res = await request(app).put('/blobs').set('Content-Type', 'image/png').send(Buffer.alloc(17));
    expect(res.status).toBe(401);
  });

  it('documents the content types in OpenAPI', () => {
    expect(api.routes[0]?.rawBody?.contentTypes).toEqual(['image/png', 'application/octet-stream']);
  });
});
