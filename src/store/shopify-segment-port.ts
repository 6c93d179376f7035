/**
 * What storage keeps of a program's Shopify segments (migration 038, docs/decisions/0048): the
 * segments its tiers name, as last resolved in the shop; the members last read of each; and the
 * state and progress of the sync that reads them.
 */

/** One segment a tier's `segment` qualification names, as the last sync found it. */
export interface ShopifySegmentRecord {
  /** The qualification's value: a segment name as the merchant sees it, or a segment id. */
  label: string;
  /** The shop's segment id (`gid://shopify/Segment/…`), null when the shop has no such segment. */
  segmentId: string | null;
  /** The segment's name in the shop, null when not found. */
  name: string | null;
  /** Members read at the last sync, null when not found. */
  memberCount: number | null;
  syncedAt: Date;
}

export interface ShopifySegmentSyncProgress {
  segmentsTotal: number;
  segmentsDone: number;
  membersRead: number;
  /** Customers whose membership of a tracked segment changed (each re-evaluated once). */
  customersChanged: number;
  customersEvaluated: number;
}

export interface ShopifySegmentSyncRecord extends ShopifySegmentSyncProgress {
  state: 'running' | 'done' | 'failed';
  trigger: 'manual' | 'schedule';
  startedAt: Date;
  finishedAt: Date | null;
  /** Why some segments were not read (e.g. the shop has no segment of that name). */
  warnings: string[];
  /** The error code a failed sync stopped on. */
  error: string | null;
}

/** One program's segment state; each method is its own statement. */
export interface ShopifySegmentRepository {
  /** Every segment recorded, by label. */
  list(): Promise<ShopifySegmentRecord[]>;
  /** Insert or replace one segment's record. */
  save(r: ShopifySegmentRecord): Promise<void>;
  /** Forget the segments (and their members) whose label is not in `labels`. */
  retain(labels: readonly string[]): Promise<void>;
  /** Customer ids last read as members of `label`, ascending. */
  members(label: string): Promise<string[]>;
  /** Replace the members of `label`. */
  setMembers(label: string, customerIds: readonly string[]): Promise<void>;
  /** The last (or running) sync, or null when none ran. */
  sync(): Promise<ShopifySegmentSyncRecord | null>;
  /**
   * Start a sync: false (nothing written) while another is running that started after
   * `staleBefore`; an older running one is taken over (its process died).
   */
  startSync(
    s: { trigger: ShopifySegmentSyncRecord['trigger']; startedAt: Date },
    staleBefore: Date,
  ): Promise<boolean>;
  /** Record progress, warnings or the end of the running sync. */
  updateSync(patch: Partial<Omit<ShopifySegmentSyncRecord, 'trigger' | 'startedAt'>>): Promise<void>;
}
