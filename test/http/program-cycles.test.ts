/** GET /v1/program/cycles: the next cycle boundaries in the program time zone (issue 11, item 3). */
import request from 'supertest';
import { createProgram, type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const monthlyParis = {
  mode: 'test',
  timezone: 'Europe/Paris',
  retention: { mode: 'cycle', cycle: { every: 'P1M', anchor: '2026-01-01' } },
};

describe('GET /v1/program/cycles', () => {
  it('lists the next three boundaries at local midnight across a DST change, after the test clock', async () => {
    const p = await createProgram(h, { ...monthlyParis, clockStart: '2026-02-15T12:00:00Z' });
    const res = await request(h.app).get('/v1/program/cycles').set(p.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      timezone: 'Europe/Paris',
      mode: 'cycle',
      boundaries: [
        // Winter time (UTC+1), then summer time (UTC+2) from 29 March: midnight both ways.
        { at: '2026-02-28T23:00:00.000Z', local: '2026-03-01T00:00' },
        { at: '2026-03-31T22:00:00.000Z', local: '2026-04-01T00:00' },
        { at: '2026-04-30T22:00:00.000Z', local: '2026-05-01T00:00' },
      ],
    });
  });

  it('starts strictly after now, and follows the test clock', async () => {
    const p = await createProgram(h, { ...monthlyParis, clockStart: '2026-02-28T23:00:00Z' });
    const first = await request(h.app).get('/v1/program/cycles?count=1').set(p.auth);
    expect(first.body.boundaries).toEqual([{ at: '2026-03-31T22:00:00.000Z', local: '2026-04-01T00:00' }]);
    const advanced = await request(h.app)
      .post('/v1/test-clock/advance')
      .set(p.auth)
      .send({ to: '2026-08-10T00:00:00Z' });
    expect(advanced.status).toBe(200);
    const after = await request(h.app).get('/v1/program/cycles?count=3').set(p.auth);
    // Back to winter time (UTC+1) on 25 October.
    expect(after.body.boundaries).toEqual([
      { at: '2026-08-31T22:00:00.000Z', local: '2026-09-01T00:00' },
      { at: '2026-09-30T22:00:00.000Z', local: '2026-10-01T00:00' },
      { at: '2026-10-31T23:00:00.000Z', local: '2026-11-01T00:00' },
    ]);
  });

  it('answers no boundaries for a program without cycles, with its mode', async () => {
    const p = await createProgram(h, { timezone: 'America/New_York', retention: { mode: 'continuous' } });
    const res = await request(h.app).get('/v1/program/cycles').set(p.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ timezone: 'America/New_York', mode: 'continuous', boundaries: [] });
  });

  it('previews unsaved every/anchor without changing anything', async () => {
    const p = await createProgram(h, {
      mode: 'test',
      clockStart: '2026-05-10T00:00:00Z',
      timezone: 'America/New_York',
      retention: { mode: 'continuous' },
    });
    const res = await request(h.app)
      .get('/v1/program/cycles?every=P3M&anchor=2025-01-01&count=4')
      .set(p.auth);
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('continuous');
    expect(res.body.boundaries.map((b: { local: string }) => b.local)).toEqual([
      '2026-07-01T00:00',
      '2026-10-01T00:00',
      '2027-01-01T00:00',
      '2027-04-01T00:00',
    ]);
    expect(res.body.boundaries[0].at).toBe('2026-07-01T04:00:00.000Z');
    expect(res.body.boundaries[2].at).toBe('2027-01-01T05:00:00.000Z');
    expect((await request(h.app).get('/v1/program').set(p.auth)).body.retention).toEqual({
      mode: 'continuous',
    });
  });

  it('refuses bad input with 400', async () => {
    const p = await createProgram(h, monthlyParis);
    for (const query of [
      'count=0',
      'count=13',
      'count=two',
      'every=P1M',
      'anchor=2026-01-01',
      'every=P0D&anchor=2026-01-01',
      'every=1M&anchor=2026-01-01',
      'every=P1M&anchor=2026-02-30',
      'every=P1M&anchor=2026-01-01T00:00:00Z',
      'other=1',
    ]) {
      const res = await request(h.app).get(`/v1/program/cycles?${query}`).set(p.auth);
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({
        query,
        status: 400,
        code: 'validation_failed',
      });
    }
  });

  it('answers 422 rather than failing when the boundaries fall after the year 9999', async () => {
    const p = await createProgram(h, monthlyParis);
    const res = await request(h.app)
      .get('/v1/program/cycles?every=P9000Y&anchor=2026-01-01&count=2')
      .set(p.auth);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('cycle_out_of_range');
  });
});
