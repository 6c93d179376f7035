/** Small builders for domain tests; every default is written out so tests read on their own. */
import type { CustomerFacts } from '../../src/domain/qualifications.js';
import type {
  ProgramSettings,
  Qualification,
  RetentionSettings,
  TierConfig,
} from '../../src/domain/types.js';

export function tier(id: string, rank: number, over: Partial<TierConfig> = {}): TierConfig {
  return {
    id,
    title: id[0]!.toUpperCase() + id.slice(1),
    icon: null,
    visible: true,
    enabled: true,
    rank,
    qualifications: [],
    maintain: null,
    benefits: {},
    ...over,
  };
}

export function facts(over: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    tags: [],
    segments: [],
    largestOrder: 0,
    lifetimeEarned: 0,
    lifetimeSpend: 0,
    carry: 0,
    windowSpend: {},
    ...over,
  };
}

export function settings(retention: RetentionSettings, over: Partial<ProgramSettings> = {}): ProgramSettings {
  return {
    tiersEnabled: true,
    currency: 'USD',
    timezone: 'America/New_York',
    earning: { pointsPerUnit: 10 },
    retention,
    ...over,
  };
}

/** Keystone's documented Gold: all three must hold (tag, $500 in 90 days, 5,000 lifetime points). */
export const keystoneGoldQualifications: Qualification[] = [
  { type: 'tag', tag: 'email_subscriber' },
  { type: 'orderVolume', minAmount: 50_000, window: 'P90D' },
  { type: 'lifetimePoints', minPoints: 5_000 },
];

/** Keystone's example ladder: Bronze entry, Silver 3,000 points, Gold as above with 1.5× and a 500 bonus. */
export function keystoneTiers(): TierConfig[] {
  return [
    tier('bronze', 0),
    tier('silver', 1, {
      qualifications: [{ type: 'lifetimePoints', minPoints: 3_000 }],
      benefits: { multiplier: 1.25, bonusPoints: 300 },
    }),
    tier('gold', 2, {
      qualifications: keystoneGoldQualifications,
      benefits: { tag: 'gold_tier', multiplier: 1.5, bonusPoints: 500 },
    }),
  ];
}

/** A local wall time in New York as an instant (EST/EDT resolved by the zone rules). */
export function ny(text: string): Date {
  const probe = new Date(`${text}Z`);
  const wall = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(probe.getTime() + 5 * 3600_000));
  const offset = wall.find((p) => p.type === 'timeZoneName')!.value.replace('GMT', '');
  return new Date(`${text}${offset}`);
}

/** Days in the seed's "Day N" numbering: day 1 = 2025-01-01, at local midnight in New York. */
export function day(n: number, time = '00:00:00'): Date {
  const d = new Date(Date.UTC(2025, 0, n));
  return ny(`${d.toISOString().slice(0, 10)}T${time}`);
}
