import { dueWork, localMidnightsBetween } from '../../src/domain/due-work.js';
import type { ProgramSettings } from '../../src/domain/types.js';

const base: ProgramSettings = {
  tiersEnabled: true,
  currency: 'USD',
  timezone: 'America/New_York',
  earning: { pointsPerUnit: 1 },
  retention: { mode: 'continuous' },
};

describe('dueWork', () => {
  it('lists local midnights in (from, to] for a continuous program, across a DST change', () => {
    const from = new Date('2025-03-08T12:00:00Z');
    const to = new Date('2025-03-11T05:00:00Z');
    expect(localMidnightsBetween(from, to, 'America/New_York').map((d) => d.toISOString())).toEqual([
      '2025-03-09T05:00:00.000Z', // EST midnight
      '2025-03-10T04:00:00.000Z', // EDT midnight
      '2025-03-11T04:00:00.000Z',
    ]);
    expect(dueWork(base, from, to, null).map((i) => i.key)).toEqual([
      'daily:2025-03-09',
      'daily:2025-03-10',
      'daily:2025-03-11',
    ]);
  });

  it('orders cycle boundaries before the daily sync of the same instant, resync first', () => {
    const settings: ProgramSettings = {
      ...base,
      timezone: 'UTC',
      retention: { mode: 'cycle', cycle: { every: 'P6M', anchor: '2025-01-01' }, inactivity: 'P1Y' },
    };
    const items = dueWork(settings, new Date('2025-06-30T12:00:00Z'), new Date('2025-07-01T00:00:00Z'), {
      dueAt: new Date('2025-06-30T12:00:00Z'),
      seq: 3,
    });
    expect(items.map((i) => i.key)).toEqual([
      'resync:3',
      'cycle:2025-07-01T00:00:00.000Z',
      'daily:2025-07-01',
    ]);
  });

  it('has nothing to run in a lifetime program without a resync, or with tiers disabled', () => {
    const lifetime: ProgramSettings = { ...base, retention: { mode: 'lifetime' } };
    expect(dueWork(lifetime, new Date('2025-01-01Z'), new Date('2026-01-01Z'), null)).toEqual([]);
    expect(
      dueWork({ ...base, tiersEnabled: false }, new Date('2025-01-01Z'), new Date('2025-02-01Z'), null),
    ).toEqual([]);
  });

  it('runs an overdue resync at the start of the window and an empty window yields nothing', () => {
    const items = dueWork(
      { ...base, retention: { mode: 'lifetime' } },
      new Date('2025-01-02Z'),
      new Date('2025-01-03Z'),
      { dueAt: new Date('2025-01-01Z'), seq: 7 },
    );
    expect(items).toEqual([{ kind: 'resync', at: new Date('2025-01-02Z'), key: 'resync:7' }]);
    expect(dueWork(base, new Date('2025-01-02Z'), new Date('2025-01-02Z'), null)).toEqual([]);
  });
});

it('still runs cycle boundaries (carry resets) while tiers are switched off', () => {
  const settings: ProgramSettings = {
    ...base,
    tiersEnabled: false,
    timezone: 'UTC',
    retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } },
  };
  expect(dueWork(settings, new Date('2025-01-01Z'), new Date('2025-07-01Z'), null).map((i) => i.key)).toEqual(
    ['cycle:2025-04-01T00:00:00.000Z', 'cycle:2025-07-01T00:00:00.000Z'],
  );
});
