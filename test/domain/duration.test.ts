import {
  addDuration,
  describeDuration,
  parseDuration,
  scaleDuration,
  subtractDuration,
  toDuration,
} from '../../src/domain/duration.js';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const iso = (d: Date) => d.toISOString();

describe('parseDuration', () => {
  it.each([
    ['P90D', { days: 90 }],
    ['P12M', { months: 12 }],
    ['P3M', { months: 3 }],
    ['P1Y', { years: 1 }],
    ['P2W', { weeks: 2 }],
    ['P1Y6M', { years: 1, months: 6 }],
    ['PT12H', { hours: 12 }],
    ['P1DT2H30M5S', { days: 1, hours: 2, minutes: 30, seconds: 5 }],
  ])('accepts %s', (text, parts) => {
    const parsed = parseDuration(text);
    expect(parsed).toEqual({
      ok: true,
      duration: { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0, ...parts },
    });
  });

  it.each(['P0D', 'PT0S', 'P0Y0M'])('refuses the zero duration %s', (text) => {
    expect(parseDuration(text)).toMatchObject({ ok: false, code: 'duration_zero' });
  });

  it.each(['', 'P', 'PT', 'P1DT', '-P1D', 'P-1D', 'P1.5D', 'p90d', '90D', 'P1D2M', 'P1H', 'P100001D'])(
    'refuses the malformed duration %j',
    (text) => {
      expect(parseDuration(text)).toMatchObject({ ok: false, code: 'duration_invalid' });
    },
  );

  it('says why a negative duration is refused', () => {
    const parsed = parseDuration('-P1D');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain('negative');
  });

  it('toDuration throws on an invalid duration', () => {
    expect(() => toDuration('P0D')).toThrow(RangeError);
    expect(toDuration('P2W').weeks).toBe(2);
  });

  it('scales every part', () => {
    expect(scaleDuration(toDuration('P1M2DT3H'), 4)).toMatchObject({ months: 4, days: 8, hours: 12 });
  });
});

describe('addDuration / subtractDuration', () => {
  it('adds calendar months with clamping to the end of a shorter month', () => {
    // 2025-01-31 00:00 in New York is 05:00Z.
    const jan31 = new Date('2025-01-31T05:00:00Z');
    expect(iso(addDuration(jan31, 'P1M', NY))).toBe('2025-02-28T05:00:00.000Z');
    expect(iso(addDuration(jan31, 'P2M', NY))).toBe('2025-03-31T04:00:00.000Z'); // EDT from March 9
    expect(iso(addDuration(new Date('2024-01-31T05:00:00Z'), 'P1M', NY))).toBe('2024-02-29T05:00:00.000Z');
  });

  it('subtracts calendar months with clamping', () => {
    const mar31 = new Date('2025-03-31T04:00:00Z'); // 00:00 EDT
    expect(iso(subtractDuration(mar31, 'P1M', NY))).toBe('2025-02-28T05:00:00.000Z');
    expect(iso(subtractDuration(new Date('2028-02-29T05:00:00Z'), 'P1Y', NY))).toBe(
      '2027-02-28T05:00:00.000Z',
    );
  });

  it('keeps the wall-clock time across a DST change (a day is 23 hours in spring)', () => {
    const before = new Date('2025-03-08T17:00:00Z'); // 12:00 EST on March 8
    const after = addDuration(before, 'P1D', NY);
    expect(iso(after)).toBe('2025-03-09T16:00:00.000Z'); // 12:00 EDT
    expect(after.getTime() - before.getTime()).toBe(23 * 3600_000);
  });

  it('makes a day 25 hours when clocks fall back in Berlin', () => {
    const before = new Date('2025-10-25T22:00:00Z'); // 00:00 CEST on October 26
    const after = addDuration(before, 'P1D', BERLIN);
    expect(iso(after)).toBe('2025-10-26T23:00:00.000Z'); // 00:00 CET on October 27
    expect(after.getTime() - before.getTime()).toBe(25 * 3600_000);
  });

  it('counts time parts as exact elapsed time', () => {
    const before = new Date('2025-03-09T06:00:00Z'); // 01:00 EST, one hour before the jump
    expect(iso(addDuration(before, 'PT2H', NY))).toBe('2025-03-09T08:00:00.000Z'); // 04:00 EDT
    expect(iso(subtractDuration(new Date('2025-03-09T08:00:00Z'), 'PT2H', NY))).toBe(
      '2025-03-09T06:00:00.000Z',
    );
  });

  it('moves a wall time that falls in a DST gap forward by the gap', () => {
    const day = new Date('2025-03-08T07:30:00Z'); // 02:30 EST on March 8
    // 02:30 on March 9 does not exist in New York; it becomes 03:30 EDT.
    expect(iso(addDuration(day, 'P1D', NY))).toBe('2025-03-09T07:30:00.000Z');
  });

  it('resolves a repeated wall time to the earlier instant', () => {
    const day = new Date('2025-11-01T05:30:00Z'); // 01:30 EDT on November 1
    expect(iso(addDuration(day, 'P1D', NY))).toBe('2025-11-02T05:30:00.000Z'); // first 01:30 (EDT)
  });

  it('adds weeks as seven calendar days', () => {
    expect(iso(addDuration(new Date('2025-03-02T05:00:00Z'), 'P2W', NY))).toBe('2025-03-16T04:00:00.000Z');
  });

  it('subtracting 90 days from day 100 lands on day 10 at the same wall time', () => {
    // Day 1 = 2025-01-01. Day 100 = 2025-04-10, day 10 = 2025-01-10 (local midnight, New York).
    expect(iso(subtractDuration(new Date('2025-04-10T04:00:00Z'), 'P90D', NY))).toBe(
      '2025-01-10T05:00:00.000Z',
    );
  });

  it('adds years and months before days', () => {
    expect(iso(addDuration(new Date('2025-01-31T00:00:00Z'), 'P1M1D', 'UTC'))).toBe(
      '2025-03-01T00:00:00.000Z',
    );
  });
});

describe('describeDuration', () => {
  it.each([
    ['P30D', '30 days'],
    ['P1D', '1 day'],
    ['P12M', '12 months'],
    ['P1Y6M', '1 year 6 months'],
    ['P2W', '2 weeks'],
    ['PT1H', '1 hour'],
  ])('%s reads "%s"', (text, words) => {
    expect(describeDuration(text)).toBe(words);
  });
});
