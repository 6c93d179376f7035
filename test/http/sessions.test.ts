/**
 * Console sessions through the real app (docs/decisions/0023): sign-in with an API key, the
 * session cookie on API-key routes, CSRF and same-site checks on cookie writes, expiry on the
 * injected clock, sign-out, storage by hash only, wrong keys and their rate limit, logs.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { createProgram, fixedClock, type Harness, startHarness } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';

const T0 = new Date('2026-03-01T09:00:00.000Z');
const clock = fixedClock(T0);
const SIGN_IN_FAILURES = 4;
const logLines: Record<string, unknown>[] = [];
let db: { url: string; drop(): Promise<void> };
let store: Store;
let h: Harness;

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) logLines.push(JSON.parse(l));
      done();
    },
  });
  h = await startHarness({
    store,
    clock,
    trustProxy: true,
    sessionTtlHours: 2,
    rateLimits: { authFailures: SIGN_IN_FAILURES },
    logger: pino({ level: 'info' }, sink),
  });
}, 60_000);
afterAll(async () => {
  await h.close();
  await db.drop();
});

let clientSeq = 0;
/** A fresh client address for the rate limits (documentation range). */
function newClient(): string {
  clientSeq += 1;
  return `203.0.113.${clientSeq}`;
}

interface Signed {
  cookie: string;
  sessionId: string;
  csrfToken: string;
  setCookie: string;
  body: Record<string, unknown>;
}

async function signIn(apiKey: string, headers: Record<string, string> = {}): Promise<Signed> {
  const res = await request(h.app)
    .post('/v1/session')
    .set('X-Forwarded-For', newClient())
    .set(headers)
    .send({ apiKey });
  expect(res.status).toBe(200);
  const setCookie = String(res.headers['set-cookie']?.[0] ?? '');
  const sessionId = /^tierpass_session=([^;]+)/.exec(setCookie)?.[1] ?? '';
  return {
    cookie: `tierpass_session=${sessionId}`,
    sessionId,
    csrfToken: res.body.csrfToken,
    setCookie,
    body: res.body,
  };
}

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie and answers the program', async () => {
    clock.set(T0);
    const p = await createProgram(h, { name: 'Cookie shop' });
    const s = await signIn(p.apiKey);
    expect(s.setCookie).toMatch(/^tierpass_session=[A-Za-z0-9_-]{43}; /);
    const attrs = s.setCookie.split('; ').slice(1);
    expect(attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=7200']));
    // Plain http without a proxy saying https: no Secure (the browser would drop the cookie).
    expect(attrs).not.toContain('Secure');
    const program = (await request(h.app).get('/v1/program').set(p.auth)).body;
    expect(s.body).toEqual({
      program,
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: new Date(T0.getTime() + 2 * 3_600_000).toISOString(),
    });
  });

  it('marks the cookie Secure behind an https proxy (trust proxy)', async () => {
    const p = await createProgram(h);
    const s = await signIn(p.apiKey, { 'X-Forwarded-Proto': 'https' });
    expect(s.setCookie.split('; ')).toContain('Secure');
  });

  it('refuses a wrong key with invalid_api_key and a readable message', async () => {
    const res = await request(h.app)
      .post('/v1/session')
      .set('X-Forwarded-For', newClient())
      .send({ apiKey: 'tp_live_not-a-key' });
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({
      code: 'invalid_api_key',
      message: 'That API key is not valid for any program',
    });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('answers 429 with Retry-After after repeated wrong keys from one client', async () => {
    const p = await createProgram(h);
    const client = newClient();
    const attempt = (apiKey: string) =>
      request(h.app).post('/v1/session').set('X-Forwarded-For', client).send({ apiKey });
    for (let i = 0; i < SIGN_IN_FAILURES; i++) expect((await attempt(`wrong-${i}`)).status).toBe(401);
    const limited = await attempt('wrong-again');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Blocked for the window, the right key included; other clients are not.
    expect((await attempt(p.apiKey)).status).toBe(429);
    expect(
      (
        await request(h.app)
          .post('/v1/session')
          .set('X-Forwarded-For', newClient())
          .send({ apiKey: p.apiKey })
      ).status,
    ).toBe(200);
  });

  it('refuses a sign-in sent from another site (login CSRF)', async () => {
    const p = await createProgram(h);
    const res = await request(h.app)
      .post('/v1/session')
      .set('X-Forwarded-For', newClient())
      .set('Origin', 'https://evil.example')
      .send({ apiKey: p.apiKey });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('cross_site_request');
  });
});

describe('the session cookie on the API', () => {
  it('reads the program and its tiers with the cookie alone', async () => {
    clock.set(T0);
    const p = await createProgram(h);
    const s = await signIn(p.apiKey);
    const program = await request(h.app).get('/v1/program').set('Cookie', s.cookie);
    expect(program.status).toBe(200);
    expect(program.body.id).toBe(p.programId);
    const tiers = await request(h.app).get('/v1/tiers').set('Cookie', `other=1; ${s.cookie}`);
    expect(tiers.status).toBe(200);
    const again = await request(h.app).get('/v1/session').set('Cookie', s.cookie);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(s.body);
    expect(again.headers['cache-control']).toBe('no-store');
  });

  it('refuses a cookie write without the CSRF token, and changes nothing', async () => {
    const p = await createProgram(h, { name: 'Before' });
    const s = await signIn(p.apiKey);
    const noToken = await request(h.app).patch('/v1/program').set('Cookie', s.cookie).send({ name: 'After' });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe('csrf_token_invalid');
    const wrong = await request(h.app)
      .patch('/v1/program')
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', `${s.csrfToken.slice(0, -1)}${s.csrfToken.endsWith('A') ? 'B' : 'A'}`)
      .send({ name: 'After' });
    expect(wrong.status).toBe(403);
    const created = await request(h.app)
      .post('/v1/tiers')
      .set('Cookie', s.cookie)
      .send({ title: 'Gold', visible: true, enabled: true, qualifications: [], benefits: {} });
    expect(created.status).toBe(403);
    expect((await request(h.app).get('/v1/program').set(p.auth)).body.name).toBe('Before');
    expect((await request(h.app).get('/v1/tiers').set(p.auth)).body.data).toEqual([]);
  });

  it('accepts a cookie write with the CSRF token', async () => {
    const p = await createProgram(h, { name: 'Before' });
    const s = await signIn(p.apiKey);
    const res = await request(h.app)
      .patch('/v1/program')
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrfToken)
      .set('Origin', 'http://shop.local')
      .set('Host', 'shop.local')
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ name: 'After' });
    expect(res.status).toBe(200);
    expect((await request(h.app).get('/v1/program').set(p.auth)).body.name).toBe('After');
  });

  it('refuses a cookie write from another site even with the token', async () => {
    const p = await createProgram(h, { name: 'Before' });
    const s = await signIn(p.apiKey);
    const write = () =>
      request(h.app).patch('/v1/program').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrfToken);
    const crossOrigin = await write().set('Origin', 'https://evil.example').send({ name: 'After' });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.body.error.code).toBe('cross_site_request');
    const crossSite = await write().set('Sec-Fetch-Site', 'cross-site').send({ name: 'After' });
    expect(crossSite.status).toBe(403);
    expect((await request(h.app).get('/v1/program').set(p.auth)).body.name).toBe('Before');
  });

  it('keeps Bearer writes working without a CSRF token', async () => {
    const p = await createProgram(h, { name: 'Before' });
    const res = await request(h.app).patch('/v1/program').set(p.auth).send({ name: 'After' });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('After');
  });

  it('refuses an unknown or malformed cookie with session_required', async () => {
    for (const cookie of [
      'tierpass_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'tierpass_session=junk',
    ]) {
      const res = await request(h.app)
        .get('/v1/program')
        .set('Cookie', cookie)
        .set('X-Forwarded-For', newClient());
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('session_required');
    }
    const none = await request(h.app).get('/v1/session');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('session_required');
  });

  it('refuses the session once it has expired on the injected clock (absolute expiry)', async () => {
    clock.set(T0);
    const p = await createProgram(h);
    const s = await signIn(p.apiKey);
    clock.set(new Date(T0.getTime() + 2 * 3_600_000 - 1000));
    expect((await request(h.app).get('/v1/program').set('Cookie', s.cookie)).status).toBe(200);
    clock.set(new Date(T0.getTime() + 2 * 3_600_000));
    const res = await request(h.app)
      .get('/v1/program')
      .set('Cookie', s.cookie)
      .set('X-Forwarded-For', newClient());
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('session_required');
    expect((await request(h.app).get('/v1/session').set('Cookie', s.cookie)).status).toBe(401);
    clock.set(T0);
  });
});

describe('sign-out', () => {
  it('needs the CSRF token, revokes the session and clears the cookie', async () => {
    clock.set(T0);
    const p = await createProgram(h);
    const s = await signIn(p.apiKey);
    const other = await signIn(p.apiKey);
    const noToken = await request(h.app).delete('/v1/session').set('Cookie', s.cookie);
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe('csrf_token_invalid');
    expect((await request(h.app).get('/v1/program').set('Cookie', s.cookie)).status).toBe(200);

    const out = await request(h.app)
      .delete('/v1/session')
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrfToken);
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie']?.[0])).toMatch(/^tierpass_session=; .*Max-Age=0/);
    const after = await request(h.app)
      .get('/v1/program')
      .set('Cookie', s.cookie)
      .set('X-Forwarded-For', newClient());
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('session_required');
    expect((await request(h.app).get('/v1/session').set('Cookie', s.cookie)).status).toBe(401);
    const again = await request(h.app)
      .delete('/v1/session')
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrfToken);
    expect(again.status).toBe(401);
    // Another session of the same program is its own.
    expect((await request(h.app).get('/v1/program').set('Cookie', other.cookie)).status).toBe(200);
  });
});

describe('at rest and in logs', () => {
  it('stores only the SHA-256 of the session id', async () => {
    const p = await createProgram(h);
    const s = await signIn(p.apiKey);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT * FROM console_sessions WHERE program_id = $1', [
        p.programId,
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0].id_hash).toBe(createHash('sha256').update(s.sessionId).digest('hex'));
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(s.sessionId);
      expect(stored).not.toContain(s.csrfToken);
    } finally {
      await client.end();
    }
  });

  it('never writes the session id or the API key to the request log', async () => {
    const p = await createProgram(h);
    logLines.length = 0;
    const s = await signIn(p.apiKey);
    await request(h.app).get('/v1/program').set('Cookie', s.cookie);
    const text = JSON.stringify(logLines);
    expect(logLines.length).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain(s.sessionId);
    expect(text).not.toContain(p.apiKey);
    expect(text).toContain('[Redacted]');
  });
});

describe('OpenAPI', () => {
  it('documents the session routes and the cookie as a way to call API-key routes', async () => {
    const doc = (await request(h.app).get('/openapi.json')).body;
    expect(Object.keys(doc.paths['/v1/session']).sort()).toEqual(['delete', 'get', 'post']);
    expect(doc.paths['/v1/session'].post.responses['429']).toBeDefined();
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({
      in: 'cookie',
      name: 'tierpass_session',
    });
    expect(doc.paths['/v1/program'].get.security).toEqual([{ apiKey: [] }, { sessionCookie: [] }]);
  });
});
