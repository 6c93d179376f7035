import type { ProgramScope, Store } from '../../src/store/port.js';
import { at, newProgram, type StoreRef, T0 } from './contract-fixtures.js';

/**
 * Shopify segments (migration 038, docs/decisions/0048): one record per label, members replaced
 * per label (those that stay are kept), labels no longer used forgotten with their members, one
 * sync at a time per program (a stale one taken over), progress only on the running sync.
 */
export function shopifySegmentContract(store: StoreRef): void {
  describe('shopifySegments', () => {
    let scope: ProgramScope;
    beforeEach(async () => {
      scope = await newProgram(store());
    });

    it('saves and replaces segment records by label, in label order', async () => {
      const segments = scope.shopifySegments;
      expect(await segments.list()).toEqual([]);
      await segments.save({
        label: 'VIP',
        segmentId: 'gid://shopify/Segment/1',
        name: 'VIP',
        memberCount: 3,
        syncedAt: T0,
      });
      await segments.save({ label: 'Absent', segmentId: null, name: null, memberCount: null, syncedAt: T0 });
      await segments.save({
        label: 'VIP',
        segmentId: 'gid://shopify/Segment/1',
        name: 'VIP',
        memberCount: 4,
        syncedAt: at(5),
      });
      expect(await segments.list()).toEqual([
        { label: 'Absent', segmentId: null, name: null, memberCount: null, syncedAt: T0 },
        { label: 'VIP', segmentId: 'gid://shopify/Segment/1', name: 'VIP', memberCount: 4, syncedAt: at(5) },
      ]);
    });

    it('replaces members per label, keeps those that stay, forgets labels not retained', async () => {
      const segments = scope.shopifySegments;
      await segments.setMembers('VIP', ['3', '1', '2']);
      await segments.setMembers('Other', ['9']);
      expect(await segments.members('VIP')).toEqual(['1', '2', '3']);
      await segments.setMembers('VIP', ['2', '3', '4', '4']);
      expect(await segments.members('VIP')).toEqual(['2', '3', '4']);
      await segments.setMembers('VIP', []);
      expect(await segments.members('VIP')).toEqual([]);
      expect(await segments.members('Other')).toEqual(['9']);
      await segments.save({
        label: 'Other',
        segmentId: 'gid://shopify/Segment/2',
        name: 'Other',
        memberCount: 1,
        syncedAt: T0,
      });
      await segments.save({ label: 'Gone', segmentId: null, name: null, memberCount: null, syncedAt: T0 });
      await segments.setMembers('Gone', ['5']);
      await segments.retain(['Other']);
      expect((await segments.list()).map((s) => s.label)).toEqual(['Other']);
      expect(await segments.members('Gone')).toEqual([]);
      expect(await segments.members('Other')).toEqual(['9']);
      // Another program's rows are its own.
      const other = await newProgram(store());
      expect(await other.shopifySegments.members('Other')).toEqual([]);
    });

    it('runs one sync at a time, takes over a stale one, records progress only while running', async () => {
      const segments = scope.shopifySegments;
      expect(await segments.sync()).toBeNull();
      expect(await segments.startSync({ trigger: 'manual', startedAt: at(10) }, T0)).toBe(true);
      expect(await segments.startSync({ trigger: 'schedule', startedAt: at(11) }, T0)).toBe(false);
      await segments.updateSync({ segmentsTotal: 2, membersRead: 40, warnings: ['no "X"'] });
      expect(await segments.sync()).toEqual({
        state: 'running',
        trigger: 'manual',
        startedAt: at(10),
        finishedAt: null,
        segmentsTotal: 2,
        segmentsDone: 0,
        membersRead: 40,
        customersChanged: 0,
        customersEvaluated: 0,
        warnings: ['no "X"'],
        error: null,
      });
      // Running since before `staleBefore`: its process died; another takes over, from zero.
      expect(await segments.startSync({ trigger: 'schedule', startedAt: at(50) }, at(20))).toBe(true);
      expect(await segments.sync()).toMatchObject({
        trigger: 'schedule',
        startedAt: at(50),
        membersRead: 0,
        warnings: [],
      });
      await segments.updateSync({ state: 'failed', error: 'shopify_throttled', finishedAt: at(51) });
      await segments.updateSync({ membersRead: 7 });
      expect(await segments.sync()).toMatchObject({
        state: 'failed',
        error: 'shopify_throttled',
        membersRead: 0,
        finishedAt: at(51),
      });
      expect(await segments.startSync({ trigger: 'manual', startedAt: at(52) }, T0)).toBe(true);
      await segments.updateSync({
        state: 'done',
        customersChanged: 3,
        customersEvaluated: 3,
        finishedAt: at(53),
      });
      expect(await segments.sync()).toMatchObject({ state: 'done', error: null, customersEvaluated: 3 });
    });

    it('goes with its program', async () => {
      const s: Store = store();
      await scope.shopifySegments.setMembers('VIP', ['1']);
      await scope.shopifySegments.save({
        label: 'VIP',
        segmentId: null,
        name: null,
        memberCount: null,
        syncedAt: T0,
      });
      await scope.shopifySegments.startSync({ trigger: 'manual', startedAt: T0 }, T0);
      const deleted = await s.deleteProgram(scope.programId);
      expect(deleted).toMatchObject({
        shopify_segment_members: 1,
        shopify_segments: 1,
        shopify_segment_syncs: 1,
      });
    });
  });
}
