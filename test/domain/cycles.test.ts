import {
  boundariesBetween,
  cycleBoundary,
  cycleContaining,
  cycleIndexAt,
  nextBoundaryAfter,
} from '../../src/domain/cycles.js';

const iso = (d: Date) => d.toISOString();
const isos = (ds: Date[]) => ds.map(iso);

describe('cycle boundaries', () => {
  const quarterly = { every: 'P3M', anchor: '2025-01-01' };

  it('reads the anchor as local midnight in the program time zone', () => {
    expect(iso(cycleBoundary(quarterly, 'UTC', 0))).toBe('2025-01-01T00:00:00.000Z');
    expect(iso(cycleBoundary(quarterly, 'America/Los_Angeles', 0))).toBe('2025-01-01T08:00:00.000Z');
  });

  it('computes anchor + k·every, also for k before the anchor', () => {
    expect(iso(cycleBoundary(quarterly, 'UTC', 1))).toBe('2025-04-01T00:00:00.000Z');
    expect(iso(cycleBoundary(quarterly, 'UTC', 4))).toBe('2026-01-01T00:00:00.000Z');
    expect(iso(cycleBoundary(quarterly, 'UTC', -1))).toBe('2024-10-01T00:00:00.000Z');
  });

  it('keeps a month-end anchor on the last day of each month without drifting', () => {
    const monthly = { every: 'P1M', anchor: '2025-01-31' };
    const days = [0, 1, 2, 3, 4, 13].map((k) => iso(cycleBoundary(monthly, 'UTC', k)).slice(0, 10));
    expect(days).toEqual([
      '2025-01-31',
      '2025-02-28',
      '2025-03-31',
      '2025-04-30',
      '2025-05-31',
      '2026-02-28',
    ]);
    expect(iso(cycleBoundary(monthly, 'UTC', 37)).slice(0, 10)).toBe('2028-02-29');
    expect(iso(cycleBoundary(monthly, 'UTC', -2)).slice(0, 10)).toBe('2024-11-30');
  });

  it('stays on local midnight across DST in New York', () => {
    const monthly = { every: 'P1M', anchor: '2025-01-01' };
    const bs = boundariesBetween(
      monthly,
      'America/New_York',
      new Date('2025-02-15T00:00:00Z'),
      new Date('2025-12-01T06:00:00Z'),
    );
    expect(isos(bs)).toEqual([
      '2025-03-01T05:00:00.000Z', // EST
      '2025-04-01T04:00:00.000Z', // EDT from March 9
      '2025-05-01T04:00:00.000Z',
      '2025-06-01T04:00:00.000Z',
      '2025-07-01T04:00:00.000Z',
      '2025-08-01T04:00:00.000Z',
      '2025-09-01T04:00:00.000Z',
      '2025-10-01T04:00:00.000Z',
      '2025-11-01T04:00:00.000Z',
      '2025-12-01T05:00:00.000Z', // EST from November 2
    ]);
  });

  it('gives daily cycles of 23 and 25 hours on Berlin DST days', () => {
    const daily = { every: 'P1D', anchor: '2025-01-01' };
    const spring = cycleContaining(daily, 'Europe/Berlin', new Date('2025-03-30T12:00:00Z'));
    expect(iso(spring.start)).toBe('2025-03-29T23:00:00.000Z');
    expect(iso(spring.end)).toBe('2025-03-30T22:00:00.000Z');
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3600_000);
    const autumn = cycleContaining(daily, 'Europe/Berlin', new Date('2025-10-26T12:00:00Z'));
    expect(autumn.end.getTime() - autumn.start.getTime()).toBe(25 * 3600_000);
  });

  it('puts a boundary whose midnight does not exist at the first instant of that day', () => {
    // Santiago skips from 00:00 to 01:00 on 2024-09-08.
    const daily = { every: 'P1D', anchor: '2024-09-01' };
    expect(iso(cycleBoundary(daily, 'America/Santiago', 7))).toBe('2024-09-08T04:00:00.000Z');
    // The next day starts at midnight again (no drift to 01:00).
    expect(iso(cycleBoundary(daily, 'America/Santiago', 8))).toBe('2024-09-09T03:00:00.000Z');
  });

  it('finds the cycle containing an instant, boundaries being inclusive starts', () => {
    const atBoundary = cycleContaining(quarterly, 'UTC', new Date('2025-04-01T00:00:00Z'));
    expect(atBoundary.index).toBe(1);
    expect(iso(atBoundary.start)).toBe('2025-04-01T00:00:00.000Z');
    expect(iso(atBoundary.end)).toBe('2025-07-01T00:00:00.000Z');
    const justBefore = cycleContaining(quarterly, 'UTC', new Date('2025-03-31T23:59:59.999Z'));
    expect(justBefore.index).toBe(0);
    expect(cycleIndexAt(quarterly, 'UTC', new Date('2023-12-31T00:00:00Z'))).toBe(-5);
    expect(cycleIndexAt(quarterly, 'UTC', new Date('2075-05-01T00:00:00Z'))).toBe(201);
  });

  it('finds the next boundary strictly after an instant', () => {
    expect(iso(nextBoundaryAfter(quarterly, 'UTC', new Date('2025-04-01T00:00:00Z')))).toBe(
      '2025-07-01T00:00:00.000Z',
    );
    expect(iso(nextBoundaryAfter(quarterly, 'UTC', new Date('2025-03-31T23:59:59Z')))).toBe(
      '2025-04-01T00:00:00.000Z',
    );
  });

  it('lists boundaries in (from, to]', () => {
    const from = new Date('2025-01-01T00:00:00Z');
    const to = new Date('2025-07-01T00:00:00Z');
    expect(isos(boundariesBetween(quarterly, 'UTC', from, to))).toEqual([
      '2025-04-01T00:00:00.000Z',
      '2025-07-01T00:00:00.000Z',
    ]);
    expect(boundariesBetween(quarterly, 'UTC', to, from)).toEqual([]);
    expect(boundariesBetween(quarterly, 'UTC', from, new Date('2025-03-31T00:00:00Z'))).toEqual([]);
  });

  it('supports six-month cycles anchored on 2025-01-01 in Los Angeles (Joy)', () => {
    const joy = { every: 'P6M', anchor: '2025-01-01' };
    const bs = boundariesBetween(
      joy,
      'America/Los_Angeles',
      new Date('2025-01-01T08:00:00Z'),
      new Date('2027-01-02T00:00:00Z'),
    );
    expect(isos(bs)).toEqual([
      '2025-07-01T07:00:00.000Z',
      '2026-01-01T08:00:00.000Z',
      '2026-07-01T07:00:00.000Z',
      '2027-01-01T08:00:00.000Z',
    ]);
  });
});
