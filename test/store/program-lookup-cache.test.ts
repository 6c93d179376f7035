import type { ProgramRecord, ProgramScope, ProgramTx, Store } from '../../src/store/port.js';
import { cacheProgramLookups } from '../../src/store/program-lookup-cache.js';

function program(mode: 'live' | 'test', name = 'Shop'): ProgramRecord {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    id: `p-${mode}`,
    name,
    mode,
    settings: {
      tiersEnabled: true,
      currency: 'USD',
      timezone: 'UTC',
      earning: { pointsPerUnit: 1 },
      retention: { mode: 'continuous' },
    },
    clockNow: mode === 'test' ? at : null,
    createdAt: at,
    updatedAt: at,
  };
}

/** Just enough of a Store: programs by key hash, a program repository, a transaction. */
function fakeStore() {
  const rows = new Map<string, ProgramRecord>([
    ['live-key', program('live')],
    ['test-key', program('test')],
  ]);
  let lookups = 0;
  let pending: (() => void) | undefined;
  const programRepo = (id: string) => ({
    async update(patch: { name?: string }) {
      for (const [k, p] of rows) if (p.id === id) rows.set(k, { ...p, name: patch.name ?? p.name });
      return [...rows.values()].find((p) => p.id === id) as ProgramRecord;
    },
    async setClock() {},
  });
  const store = {
    async findProgramByApiKeyHash(hash: string) {
      lookups++;
      const found = rows.get(hash) ?? null;
      if (pending) await new Promise<void>((resolve) => (pending = resolve));
      return found;
    },
    scoped(id: string) {
      return {
        programId: id,
        program: programRepo(id),
        transaction: <T>(fn: (tx: ProgramTx) => Promise<T>) =>
          fn({ programId: id, program: programRepo(id) } as unknown as ProgramTx),
      } as unknown as ProgramScope;
    },
  } as unknown as Store;
  return {
    store,
    lookups: () => lookups,
    /** Make the next lookup wait until `release()`. */
    hold() {
      pending = () => {};
      return () => {
        const r = pending;
        pending = undefined;
        r?.();
      };
    },
  };
}

describe('cacheProgramLookups', () => {
  it('reuses a live program within the TTL and reads it again after', async () => {
    let now = 0;
    const f = fakeStore();
    const store = cacheProgramLookups(f.store, { ttlMs: 1000, now: () => now });
    await store.findProgramByApiKeyHash('live-key');
    await store.findProgramByApiKeyHash('live-key');
    expect(f.lookups()).toBe(1);
    now = 1000;
    await store.findProgramByApiKeyHash('live-key');
    expect(f.lookups()).toBe(2);
  });

  it('never caches test programs or unknown keys', async () => {
    const f = fakeStore();
    const store = cacheProgramLookups(f.store, { ttlMs: 60_000 });
    await store.findProgramByApiKeyHash('test-key');
    await store.findProgramByApiKeyHash('test-key');
    expect(await store.findProgramByApiKeyHash('nope')).toBeNull();
    expect(await store.findProgramByApiKeyHash('nope')).toBeNull();
    expect(f.lookups()).toBe(4);
  });

  it('drops the program when it is updated through a scope, in or out of a transaction', async () => {
    const f = fakeStore();
    const store = cacheProgramLookups(f.store, { ttlMs: 60_000 });
    await store.findProgramByApiKeyHash('live-key');
    await store.scoped('p-live').program.update({ name: 'Renamed' }, new Date());
    expect((await store.findProgramByApiKeyHash('live-key'))?.name).toBe('Renamed');

    await store.scoped('p-live').transaction((tx) => tx.program.update({ name: 'Again' }, new Date()));
    expect((await store.findProgramByApiKeyHash('live-key'))?.name).toBe('Again');
    expect(f.lookups()).toBe(3);
  });

  it('does not store a lookup that raced with a change', async () => {
    const f = fakeStore();
    const store = cacheProgramLookups(f.store, { ttlMs: 60_000 });
    const release = f.hold();
    const racing = store.findProgramByApiKeyHash('live-key');
    await store.scoped('p-live').program.update({ name: 'Renamed' }, new Date());
    release();
    expect((await racing)?.name).toBe('Shop'); // read before the change
    expect((await store.findProgramByApiKeyHash('live-key'))?.name).toBe('Renamed');
  });

  it('is the store itself when the TTL is 0', () => {
    const f = fakeStore();
    expect(cacheProgramLookups(f.store, { ttlMs: 0 })).toBe(f.store);
  });
});
