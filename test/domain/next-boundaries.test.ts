import { nextBoundaries } from '../../src/domain/cycles.js';
import { localMinuteString } from '../../src/domain/zoned-time.js';

describe('nextBoundaries', () => {
  const quarterly = { every: 'P3M', anchor: '2025-01-31' };

  it('lists boundaries strictly after the instant, each computed from the anchor', () => {
    const at = new Date('2025-04-30T00:00:00Z');
    const got = nextBoundaries(quarterly, 'UTC', at, 3).map((d) => d.toISOString());
    // The 31st clamps to the month's end and comes back after a short month.
    expect(got).toEqual(['2025-07-31T00:00:00.000Z', '2025-10-31T00:00:00.000Z', '2026-01-31T00:00:00.000Z']);
    const onBoundary = nextBoundaries(quarterly, 'UTC', new Date('2025-07-31T00:00:00Z'), 1);
    expect(onBoundary.map((d) => d.toISOString())).toEqual(['2025-10-31T00:00:00.000Z']);
  });

  it('works before the anchor too', () => {
    const got = nextBoundaries(
      { every: 'P1Y', anchor: '2030-01-01' },
      'UTC',
      new Date('2026-06-01T00:00:00Z'),
      2,
    );
    expect(got.map((d) => d.toISOString())).toEqual(['2027-01-01T00:00:00.000Z', '2028-01-01T00:00:00.000Z']);
  });
});

describe('localMinuteString', () => {
  it('reads an instant on the wall clock of a zone, DST included', () => {
    expect(localMinuteString(new Date('2026-03-31T22:00:00Z'), 'Europe/Paris')).toBe('2026-04-01T00:00');
    expect(localMinuteString(new Date('2026-01-15T09:05:59Z'), 'America/New_York')).toBe('2026-01-15T04:05');
    expect(localMinuteString(new Date('2026-01-15T09:05:59Z'), 'Asia/Kolkata')).toBe('2026-01-15T14:35');
  });
});
