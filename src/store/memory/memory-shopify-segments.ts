/** A program's Shopify segments, their members and the sync's progress, in memory (0037, 0048). */
import type {
  ShopifySegmentRecord,
  ShopifySegmentRepository,
  ShopifySegmentSyncRecord,
} from '../shopify-segment-port.js';
import { copy } from './memory-db.js';
import type { MemoryState } from './memory-state.js';

export interface ShopifySegmentData {
  segments: Map<string, ShopifySegmentRecord>;
  /** Label → member customer ids. */
  members: Map<string, Set<string>>;
  sync: ShopifySegmentSyncRecord | null;
}

export function emptyShopifySegments(): ShopifySegmentData {
  return { segments: new Map(), members: new Map(), sync: null };
}

export function memoryShopifySegments(state: MemoryState, programId: string): ShopifySegmentRepository {
  const data = () => state.program(programId).shopifySegments;
  return {
    async list() {
      const d = state.maybe(programId)?.shopifySegments;
      if (!d) return [];
      return [...d.segments.values()].sort((a, b) => (a.label < b.label ? -1 : 1)).map(copy);
    },
    async save(r) {
      data().segments.set(r.label, copy(r));
    },
    async retain(labels) {
      const d = data();
      for (const label of [...d.segments.keys()]) if (!labels.includes(label)) d.segments.delete(label);
      for (const label of [...d.members.keys()]) if (!labels.includes(label)) d.members.delete(label);
    },
    async members(label) {
      const set = state.maybe(programId)?.shopifySegments.members.get(label);
      return set ? [...set].sort() : [];
    },
    async setMembers(label, customerIds) {
      data().members.set(label, new Set(customerIds));
    },
    async sync() {
      const s = state.maybe(programId)?.shopifySegments.sync;
      return s ? copy(s) : null;
    },
    async startSync(s, staleBefore) {
      const d = data();
      if (d.sync && d.sync.state === 'running' && d.sync.startedAt >= staleBefore) return false;
      d.sync = {
        state: 'running',
        trigger: s.trigger,
        startedAt: new Date(s.startedAt.getTime()),
        finishedAt: null,
        segmentsTotal: 0,
        segmentsDone: 0,
        membersRead: 0,
        customersChanged: 0,
        customersEvaluated: 0,
        warnings: [],
        error: null,
      };
      return true;
    },
    async updateSync(patch) {
      const d = data();
      if (d.sync?.state !== 'running') return;
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      d.sync = copy({ ...d.sync, ...defined });
    },
  };
}
