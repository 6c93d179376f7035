import { type CustomerTierState, decideTier, type EvaluationTrigger } from '../../src/domain/assignment.js';
import type { CustomerFacts } from '../../src/domain/qualifications.js';
import type { RetentionSettings, TierConfig } from '../../src/domain/types.js';
import { facts, settings, tier } from './fixtures.js';

const T0 = new Date('2025-01-01T05:00:00Z');
const NOW = new Date('2025-06-01T04:00:00Z');

/** Bronze entry; Silver 1,000 points; Gold 5,000 points; Platinum 20,000 points. */
function ladder(over: Record<string, Partial<TierConfig>> = {}): TierConfig[] {
  const points = (n: number) => [{ type: 'lifetimePoints', minPoints: n } as const];
  return [
    tier('bronze', 0, over.bronze),
    tier('silver', 1, { qualifications: points(1_000), ...over.silver }),
    tier('gold', 2, { qualifications: points(5_000), ...over.gold }),
    tier('platinum', 3, { qualifications: points(20_000), ...over.platinum }),
  ];
}

function state(tierId: string | null, over: Partial<CustomerTierState> = {}): CustomerTierState {
  return { tierId, tierSince: T0, lastChangeReason: null, lastEarnedAt: NOW, ...over };
}

function decide(
  retention: RetentionSettings,
  tiers: TierConfig[],
  s: CustomerTierState,
  f: CustomerFacts,
  trigger: EvaluationTrigger = 'event',
  over: { tiersEnabled?: boolean; asOf?: Date } = {},
) {
  return decideTier({
    settings: settings(retention, { tiersEnabled: over.tiersEnabled ?? true }),
    tiers,
    state: s,
    facts: f,
    asOf: over.asOf ?? NOW,
    trigger,
  });
}

const lifetime: RetentionSettings = { mode: 'lifetime' };
const continuous: RetentionSettings = { mode: 'continuous' };
const cycle: RetentionSettings = { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } };

describe('placement in the highest enabled tier the customer qualifies for', () => {
  it('puts a new customer in the entry tier', () => {
    expect(decide(continuous, ladder(), state(null), facts())).toMatchObject({
      fromTierId: null,
      toTierId: 'bronze',
      direction: 'up',
      reason: 'qualified',
    });
  });

  it('leaves a customer without a tier when there is no entry tier and nothing holds', () => {
    const tiers = ladder({ bronze: { qualifications: [{ type: 'tag', tag: 'member' }] } });
    const d = decide(continuous, tiers, state(null), facts());
    expect(d).toMatchObject({ toTierId: null, direction: 'none', reason: null });
    expect(d.facts.tiers.map((t) => t.tierId)).toEqual(['platinum', 'gold', 'silver', 'bronze']);
  });

  it('jumps straight to the highest tier that holds', () => {
    const d = decide(lifetime, ladder(), state('bronze'), facts({ lifetimeEarned: 6_000 }));
    expect(d).toMatchObject({ fromTierId: 'bronze', toTierId: 'gold', direction: 'up', reason: 'qualified' });
    expect(d.facts.tiers).toEqual([
      {
        tierId: 'platinum',
        test: 'qualifications',
        met: false,
        conditions: [{ type: 'lifetimePoints', required: 20_000, actual: 6_000, met: false }],
      },
      {
        tierId: 'gold',
        test: 'qualifications',
        met: true,
        conditions: [{ type: 'lifetimePoints', required: 5_000, actual: 6_000, met: true }],
      },
    ]);
  });

  it('skips disabled tiers', () => {
    const d = decide(
      lifetime,
      ladder({ platinum: { enabled: false } }),
      state('silver'),
      facts({ lifetimeEarned: 50_000 }),
    );
    expect(d.toTierId).toBe('gold');
  });

  it('still evaluates hidden tiers', () => {
    const d = decide(
      lifetime,
      ladder({ gold: { visible: false } }),
      state('silver'),
      facts({ lifetimeEarned: 6_000 }),
    );
    expect(d.toTierId).toBe('gold');
  });

  it('orders by rank, not by list position', () => {
    const tiers = ladder().reverse();
    expect(decide(continuous, tiers, state(null), facts({ lifetimeEarned: 1_000 })).toTierId).toBe('silver');
  });

  it('does nothing while tiers are disabled for the program, keeping the assignment', () => {
    const d = decide(continuous, ladder(), state('gold'), facts(), 'daily', { tiersEnabled: false });
    expect(d).toMatchObject({ fromTierId: 'gold', toTierId: 'gold', direction: 'none', reason: null });
    expect(d.facts.skipped).toBe('tiers_disabled');
    expect(d.facts.tiers).toEqual([]);
  });
});

describe('upgrades are immediate in every mode', () => {
  it.each([lifetime, continuous, cycle])('%j upgrades on an event', (retention) => {
    const d = decide(retention, ladder(), state('silver'), facts({ lifetimeEarned: 20_000 }));
    expect(d).toMatchObject({ toTierId: 'platinum', direction: 'up', reason: 'qualified' });
  });
});

describe('lifetime mode: never down', () => {
  it.each(['event', 'daily', 'resync'] as const)(
    'keeps gold on %s although nothing holds any more',
    (trigger) => {
      const d = decide(lifetime, ladder(), state('gold'), facts({ lifetimeEarned: 0 }), trigger);
      expect(d).toMatchObject({ toTierId: 'gold', direction: 'none' });
      expect(d.facts.tiers.at(-1)).toMatchObject({ tierId: 'gold', test: 'retained', met: true });
    },
  );

  it('ignores inactivity', () => {
    const s = state('gold', {
      lastEarnedAt: new Date('2020-01-01T00:00:00Z'),
      tierSince: new Date('2020-01-01T00:00:00Z'),
    });
    const d = decide({ mode: 'lifetime', inactivity: 'P30D' }, ladder(), s, facts());
    expect(d.direction).toBe('none');
  });
});

describe('continuous mode', () => {
  it('drops to the highest tier that still holds', () => {
    const d = decide(continuous, ladder(), state('platinum'), facts({ lifetimeEarned: 1_500 }), 'daily');
    expect(d).toMatchObject({
      fromTierId: 'platinum',
      toTierId: 'silver',
      direction: 'down',
      reason: 'continuous',
    });
    expect(d.facts.tiers.map((t) => [t.tierId, t.test, t.met])).toEqual([
      ['platinum', 'maintain', false],
      ['gold', 'maintain', false],
      ['silver', 'maintain', true],
    ]);
  });

  it('also drops on an event (e.g. a refund)', () => {
    expect(decide(continuous, ladder(), state('gold'), facts({ lifetimeEarned: 4_999 })).toTierId).toBe(
      'silver',
    );
  });

  it('keeps a tier by its maintain conditions when set (hysteresis)', () => {
    const tiers = ladder({ gold: { maintain: [{ type: 'lifetimePoints', minPoints: 4_000 }] } });
    expect(
      decide(continuous, tiers, state('gold'), facts({ lifetimeEarned: 4_500 }), 'daily').direction,
    ).toBe('none');
    expect(decide(continuous, tiers, state('silver'), facts({ lifetimeEarned: 4_500 })).toTierId).toBe(
      'silver',
    );
    expect(decide(continuous, tiers, state('gold'), facts({ lifetimeEarned: 3_999 }), 'daily').toTierId).toBe(
      'silver',
    );
  });

  it('can drop to no tier when there is no entry tier', () => {
    const tiers = ladder({ bronze: { qualifications: [{ type: 'tag', tag: 'member' }] } });
    expect(decide(continuous, tiers, state('bronze'), facts(), 'daily')).toMatchObject({
      toTierId: null,
      direction: 'down',
      reason: 'continuous',
    });
  });
});

describe('cycle mode', () => {
  it.each(['event', 'daily', 'resync'] as const)('never drops between boundaries (%s)', (trigger) => {
    const d = decide(cycle, ladder(), state('gold'), facts({ lifetimeEarned: 0 }), trigger);
    expect(d.direction).toBe('none');
  });

  it('keeps the tier at a boundary when maintain held for the closing cycle', () => {
    const tiers = ladder({ gold: { qualifications: [{ type: 'carryPoints', minPoints: 2_000 }] } });
    expect(decide(cycle, tiers, state('gold'), facts({ carry: 2_000 }), 'boundary').direction).toBe('none');
  });

  it('drops at a boundary to the highest tier whose maintain held', () => {
    const tiers = ladder({
      gold: { maintain: [{ type: 'carryPoints', minPoints: 2_000 }] },
      silver: { maintain: [{ type: 'carryPoints', minPoints: 500 }] },
    });
    const d = decide(cycle, tiers, state('gold'), facts({ lifetimeEarned: 9_000, carry: 600 }), 'boundary');
    expect(d).toMatchObject({ toTierId: 'silver', direction: 'down', reason: 'cycle' });
    expect(d.facts.tiers.map((t) => [t.tierId, t.test, t.met])).toEqual([
      ['platinum', 'qualifications', false],
      ['gold', 'maintain', false],
      ['silver', 'maintain', true],
    ]);
  });

  it('gains a higher tier at a boundary only by its qualifications, not its maintain', () => {
    const tiers = ladder({ gold: { maintain: [{ type: 'lifetimePoints', minPoints: 2_000 }] } });
    const d = decide(cycle, tiers, state('silver'), facts({ lifetimeEarned: 3_000 }), 'boundary');
    expect(d.direction).toBe('none');
  });

  describe('maxDropPerCycle', () => {
    const limited = (n: number): RetentionSettings => ({ ...cycle, maxDropPerCycle: n });

    it('limits a three-tier fall to one tier and says so', () => {
      const d = decide(limited(1), ladder(), state('platinum'), facts(), 'boundary');
      expect(d).toMatchObject({ toTierId: 'gold', direction: 'down', reason: 'cycle' });
      expect(d.facts.maxDrop).toEqual({ limit: 1, wantedTierId: 'bronze' });
    });

    it('does not interfere with a drop within the limit', () => {
      const d = decide(limited(2), ladder(), state('platinum'), facts({ lifetimeEarned: 5_000 }), 'boundary');
      expect(d.toTierId).toBe('gold');
      expect(d.facts.maxDrop).toBeUndefined();
    });

    it('counts enabled tiers only', () => {
      const d = decide(
        limited(1),
        ladder({ gold: { enabled: false } }),
        state('platinum'),
        facts(),
        'boundary',
      );
      expect(d.toTierId).toBe('silver');
    });

    it('can stop above no tier at all', () => {
      const tiers = ladder({ bronze: { qualifications: [{ type: 'tag', tag: 'member' }] } });
      expect(decide(limited(1), tiers, state('bronze'), facts(), 'boundary').toTierId).toBe(null);
      expect(decide(limited(1), tiers, state('silver'), facts(), 'boundary').toTierId).toBe('bronze');
    });

    it('applies only at boundaries of cycle mode', () => {
      const c = { mode: 'continuous', maxDropPerCycle: 1 } as const;
      expect(decide(c, ladder(), state('platinum'), facts(), 'daily').toTierId).toBe('bronze');
    });
  });
});

describe('inactivity', () => {
  const since = new Date('2025-01-01T05:00:00Z'); // last earn and tier entry: 2025-01-01 00:00 New York
  const idle = (over: Partial<CustomerTierState> = {}) =>
    state('gold', { lastEarnedAt: since, tierSince: since, ...over });
  const rich = facts({ lifetimeEarned: 9_000 });
  const withInactivity = (r: RetentionSettings): RetentionSettings => ({ ...r, inactivity: 'P90D' });

  it.each([continuous, cycle])('%j drops one tier once the duration has passed without earning', (r) => {
    const due = new Date('2025-04-01T04:00:00Z'); // 90 calendar days later, local midnight (EDT)
    const d = decide(withInactivity(r), ladder(), idle(), rich, 'inactivity', { asOf: due });
    expect(d).toMatchObject({
      fromTierId: 'gold',
      toTierId: 'silver',
      direction: 'down',
      reason: 'inactivity',
    });
    expect(d.facts.inactivity).toEqual({ since, dueAt: due });
    const early = decide(withInactivity(r), ladder(), idle(), rich, 'inactivity', {
      asOf: new Date(due.getTime() - 1),
    });
    expect(early.direction).toBe('none');
  });

  it('counts from the later of the last earn and the last tier change (the clock restarts after a drop)', () => {
    const dropped = new Date('2025-04-01T04:00:00Z');
    const s = idle({ tierId: 'silver', tierSince: dropped, lastChangeReason: 'inactivity' });
    const r = withInactivity(continuous);
    expect(
      decide(r, ladder(), s, rich, 'inactivity', { asOf: new Date('2025-06-29T03:59:59Z') }).direction,
    ).toBe('none');
    expect(
      decide(r, ladder(), s, rich, 'inactivity', { asOf: new Date('2025-06-30T04:00:00Z') }),
    ).toMatchObject({
      toTierId: 'bronze',
      reason: 'inactivity',
    });
  });

  it('does not hand the tier back while the customer has not earned since the drop', () => {
    const s = idle({
      tierId: 'silver',
      tierSince: new Date('2025-04-01T04:00:00Z'),
      lastChangeReason: 'inactivity',
    });
    const asOf = new Date('2025-04-02T04:00:00Z');
    const d = decide(withInactivity(continuous), ladder(), s, rich, 'daily', { asOf });
    expect(d.direction).toBe('none');
    expect(d.facts.tiers.map((t) => [t.tierId, t.test])).toEqual([
      ['platinum', 'held'],
      ['gold', 'held'],
      ['silver', 'maintain'],
    ]);
    const earned = { ...s, lastEarnedAt: asOf };
    expect(decide(withInactivity(continuous), ladder(), earned, rich, 'event', { asOf })).toMatchObject({
      toTierId: 'gold',
      reason: 'qualified',
    });
  });

  it('stops at an entry tier but drops the lowest qualified tier to no tier', () => {
    const asOf = new Date('2026-01-01T05:00:00Z');
    const r = withInactivity(continuous);
    expect(decide(r, ladder(), idle({ tierId: 'bronze' }), facts(), 'inactivity', { asOf }).direction).toBe(
      'none',
    );
    const noEntry = ladder({ bronze: { qualifications: [{ type: 'tag', tag: 'member' }] } });
    const f = facts({ tags: ['member'] });
    expect(decide(r, noEntry, idle({ tierId: 'bronze' }), f, 'inactivity', { asOf })).toMatchObject({
      toTierId: null,
      reason: 'inactivity',
    });
  });

  it('gives way to a real change at the same evaluation', () => {
    const asOf = new Date('2026-01-01T05:00:00Z');
    const d = decide(
      withInactivity(continuous),
      ladder(),
      idle(),
      facts({ lifetimeEarned: 1_000 }),
      'daily',
      { asOf },
    );
    expect(d).toMatchObject({ toTierId: 'silver', reason: 'continuous' });
    expect(d.facts.inactivity).toBeUndefined();
  });
});

describe('disabled and deleted tiers', () => {
  it('reassigns members of a disabled tier: lifetime mode keeps them just below', () => {
    const d = decide(lifetime, ladder({ gold: { enabled: false } }), state('gold'), facts(), 'resync');
    expect(d).toMatchObject({
      fromTierId: 'gold',
      toTierId: 'silver',
      direction: 'down',
      reason: 'tier_disabled',
    });
  });

  it('continuous mode sends them to the highest tier that holds', () => {
    const d = decide(
      continuous,
      ladder({ gold: { enabled: false } }),
      state('gold'),
      facts({ lifetimeEarned: 20_000 }),
    );
    expect(d).toMatchObject({ toTierId: 'platinum', direction: 'up', reason: 'tier_disabled' });
  });

  it('cycle mode between boundaries keeps them just below', () => {
    const d = decide(cycle, ladder({ gold: { enabled: false } }), state('gold'), facts(), 'event');
    expect(d).toMatchObject({ toTierId: 'silver', reason: 'tier_disabled' });
  });

  it('reassigns members of a deleted tier by qualifications, as a downgrade', () => {
    const tiers = ladder().filter((t) => t.id !== 'gold');
    const d = decide(lifetime, tiers, state('gold'), facts({ lifetimeEarned: 1_200 }));
    expect(d).toMatchObject({
      fromTierId: 'gold',
      toTierId: 'silver',
      direction: 'down',
      reason: 'tier_deleted',
    });
  });
});

describe('resync', () => {
  it('records changes found by a resync as such', () => {
    expect(decide(continuous, ladder(), state('gold'), facts(), 'resync')).toMatchObject({
      toTierId: 'bronze',
      reason: 'resync',
    });
    expect(
      decide(lifetime, ladder(), state('bronze'), facts({ lifetimeEarned: 5_000 }), 'resync'),
    ).toMatchObject({
      toTierId: 'gold',
      direction: 'up',
      reason: 'resync',
    });
  });
});
