import request from 'supertest';
import { isNotModified } from '../../src/features/passes/pass-conditions.js';
import { ADMIN_TOKEN, uid } from '../support/harness.js';
import { fetchPass, type PassHarness, startPassHarness } from './pass-harness.js';

describe('isNotModified', () => {
  const changed = new Date('2026-11-23T10:00:00.750Z');
  it('compares ETags first, then whole seconds of Last-Modified', () => {
    expect(isNotModified({}, 'abc', changed)).toBe(false);
    expect(isNotModified({ ifNoneMatch: '"abc"' }, 'abc', changed)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '"x", W/"abc"' }, 'abc', changed)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '*' }, 'abc', changed)).toBe(true);
    expect(
      isNotModified({ ifNoneMatch: '"old"', ifModifiedSince: changed.toUTCString() }, 'abc', changed),
    ).toBe(false);
    expect(isNotModified({ ifModifiedSince: 'Mon, 23 Nov 2026 10:00:00 GMT' }, 'abc', changed)).toBe(true);
    expect(isNotModified({ ifModifiedSince: 'Mon, 23 Nov 2026 09:59:59 GMT' }, 'abc', changed)).toBe(false);
    expect(isNotModified({ ifModifiedSince: 'yesterday' }, 'abc', changed)).toBe(false);
  });
});

describe('conditional pass fetches', () => {
  let h: PassHarness;
  beforeAll(async () => {
    h = await startPassHarness();
  });
  afterAll(() => h.close());

  it('answers 304 for a current copy without signing, 200 once the pass changed', async () => {
    const program = await request(h.app)
      .post('/v1/programs')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ name: 'Etag shop', currency: 'USD' });
    const auth = { Authorization: `Bearer ${program.body.apiKey}` };
    await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Member' });
    const id = uid('cond');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({});
    const path = `/v1/customers/${id}/passes/apple`;
    const first = await fetchPass(h, path, auth);
    const etag = first.headers.etag as string;
    const lastModified = first.headers['last-modified'] as string;
    expect(etag).toMatch(/^"[\w-]{22}"$/);

    const builds = h.passes.stats.builds;
    const byEtag = await request(h.app).get(path).set(auth).set('If-None-Match', etag);
    expect(byEtag.status).toBe(304);
    expect(byEtag.headers.etag).toBe(etag);
    const byDate = await request(h.app).get(path).set(auth).set('If-Modified-Since', lastModified);
    expect(byDate.status).toBe(304);
    expect(h.passes.stats.builds).toBe(builds);

    await request(h.app)
      .post(`/v1/customers/${id}/points`)
      .set(auth)
      .set('Idempotency-Key', uid('k'))
      .send({ points: 10, reason: 'test' });
    const changed = await fetchPass(h, path, { ...auth, 'If-None-Match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(Date.parse(changed.headers['last-modified'] as string)).toBeGreaterThan(Date.parse(lastModified));
    const sinceOld = await request(h.app).get(path).set(auth).set('If-Modified-Since', lastModified);
    expect(sinceOld.status).toBe(200);
  });
});
