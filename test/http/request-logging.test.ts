/** Request logging at info (pino-http) and above info (the light middleware). */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { z } from 'zod';
import { AppError } from '../../src/errors.js';
import { createHttpApp } from '../../src/http/app.js';
import { createHttpMetrics } from '../../src/http/metrics.js';

function appLoggingAt(level: 'info' | 'warn') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  const { app } = createHttpApp({
    logger: pino({ level }, sink),
    authenticator: {
      program: () => Promise.reject(new Error('not used')),
      admin: () => {},
    },
    metrics: createHttpMetrics(),
    readiness: {},
    trustProxy: false,
    version: 'test',
    registerRoutes(api) {
      api.add({
        method: 'get',
        path: '/ok',
        summary: 'ok',
        tag: 'Test',
        auth: 'none',
        responses: { 200: { description: 'ok', schema: z.object({}) } },
        handler: async () => ({ status: 200, body: {} }),
      });
      api.add({
        method: 'get',
        path: '/passes/:token',
        summary: 'a secret in the path',
        tag: 'Test',
        auth: 'none',
        params: z.object({ token: z.string() }),
        responses: { 200: { description: 'ok' } },
        handler: async ({ params }) => {
          if (params.token.startsWith('bad')) throw new AppError(404, 'pass_link_invalid', 'no');
          return { status: 200, body: {} };
        },
      });
      api.add({
        method: 'get',
        path: '/off',
        summary: 'an expected 503',
        tag: 'Test',
        auth: 'none',
        responses: { 503: { description: 'feature_off' } },
        handler: async () => {
          throw new AppError(503, 'feature_off', 'This feature is off on this server');
        },
      });
      api.add({
        method: 'get',
        path: '/boom',
        summary: 'boom',
        tag: 'Test',
        auth: 'none',
        responses: { 200: { description: 'never' } },
        handler: async () => {
          throw new Error('boom');
        },
      });
    },
  });
  return { app, lines };
}

describe('request logging', () => {
  it('at info logs every request, without the Authorization header', async () => {
    const { app, lines } = appLoggingAt('info');
    const res = await request(app).get('/ok').set('Authorization', 'Bearer secret-key-123').expect(200);
    const line = lines.find((l) => l.msg === 'request completed');
    expect(line).toMatchObject({ req: { id: res.headers['x-request-id'], method: 'GET', url: '/ok' } });
    expect(JSON.stringify(lines)).not.toContain('secret-key-123');
  });

  it('above info logs nothing for a success and one error line (with the request id) for a 5xx', async () => {
    const { app, lines } = appLoggingAt('warn');
    await request(app).get('/ok').set('Authorization', 'Bearer secret-key-123').expect(200);
    expect(lines).toEqual([]);
    const res = await request(app).get('/boom').set('X-Request-Id', 'req-42').expect(500);
    expect(res.headers['x-request-id']).toBe('req-42');
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'unhandled error', reqId: 'req-42', errorId: res.body.error.errorId }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'request errored',
        reqId: 'req-42',
        req: { method: 'GET', url: '/boom' },
        res: { statusCode: 500 },
      }),
    );
    expect(JSON.stringify(lines)).not.toContain('secret-key-123');
  });

  it.each(['info', 'warn'] as const)('at %s never logs a shopper-link token from the URL', async (level) => {
    const { app, lines } = appLoggingAt(level);
    await request(app).get('/passes/SECRETtoken.MAC123').expect(200);
    await request(app).get('/passes/badSECRET.MAC456/apple.pkpass?x=1').expect(404);
    await request(app).get('/passes/badSECRET.MAC789').expect(404);
    if (level === 'info') {
      expect(lines.map((l) => (l.req as { url: string }).url)).toEqual([
        '/passes/[redacted]',
        '/passes/[redacted]/apple.pkpass?x=1',
        '/passes/[redacted]',
      ]);
    }
    expect(JSON.stringify(lines)).not.toMatch(/SECRET|MAC\d/);
  });

  it.each(['info', 'warn'] as const)(
    'at %s logs an expected 503 at warn with its code and without a stack',
    async (level) => {
      const { app, lines } = appLoggingAt(level);
      await request(app).get('/off').expect(503);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 40,
        msg: 'request completed',
        res: { statusCode: 503 },
        error: { code: 'feature_off' },
      });
      expect(lines[0]).not.toHaveProperty('err');
      expect(JSON.stringify(lines)).not.toContain('stack');
    },
  );
});
