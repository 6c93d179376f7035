import type { TierRecord } from '../port.js';

/**
 * Tier lists by program and `programs.tiers_version` (migration 015: a trigger bumps it on every
 * write to a program's tiers). A transaction that read the version with its customer lock takes
 * the list from here when the cached one has that version, instead of reading the tiers again.
 * Lists are deep-frozen: they are shared by every transaction that gets them.
 */
export class TierListCache {
  private readonly lists = new Map<string, { version: number; tiers: readonly TierRecord[] }>();

  constructor(private readonly maxPrograms = 1000) {}

  /** The cached list of `programId` at exactly `version`, if there is one. */
  get(programId: string, version: number): TierRecord[] | undefined {
    const hit = this.lists.get(programId);
    if (hit === undefined || hit.version !== version) return undefined;
    // Least recently used first in Map order: move the hit to the end.
    this.lists.delete(programId);
    this.lists.set(programId, hit);
    return [...hit.tiers];
  }

  /** Remember the list read at `version` (an older version never replaces a newer one). */
  set(programId: string, version: number, tiers: TierRecord[]): void {
    const known = this.lists.get(programId);
    if (known !== undefined && known.version > version) return;
    this.lists.delete(programId);
    this.lists.set(programId, { version, tiers: tiers.map(deepFreeze) });
    if (this.lists.size > this.maxPrograms) {
      const oldest = this.lists.keys().next().value;
      if (oldest !== undefined) this.lists.delete(oldest);
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** What one transaction learnt about its program's tier list version (set by the customer lock). */
export interface TxTierVersion {
  seen?: number;
}
