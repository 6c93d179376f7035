import { at, newProgram, type StoreRef, settings, T0, uid } from './contract-fixtures.js';

/** Store-level methods and the program repository. */
export function programContract(store: StoreRef): void {
  describe('programs', () => {
    it('creates a program and finds it by its API key hash only', async () => {
      const hash = uid('hash');
      const created = await store().createProgram(
        { name: 'Keystone', mode: 'live', settings, clockNow: null, now: T0 },
        hash,
      );
      expect(created).toEqual({
        id: expect.any(String),
        name: 'Keystone',
        mode: 'live',
        settings,
        clockNow: null,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await store().findProgramByApiKeyHash(hash)).toEqual(created);
      expect(await store().findProgramByApiKeyHash(uid('other'))).toBeNull();
      expect(await store().scoped(created.id).program.get()).toEqual(created);
    });

    it('creates nothing when the API key hash is taken', async () => {
      const hash = uid('hash');
      const first = await store().createProgram(
        { name: 'A', mode: 'live', settings, clockNow: null, now: T0 },
        hash,
      );
      await expect(
        store().createProgram({ name: 'B', mode: 'live', settings, clockNow: null, now: T0 }, hash),
      ).rejects.toThrow();
      expect((await store().findProgramByApiKeyHash(hash))?.id).toBe(first.id);
    });

    it('updates name and settings separately', async () => {
      const scope = await newProgram(store());
      const renamed = await scope.program.update({ name: 'Renamed' }, at(1));
      expect(renamed.name).toBe('Renamed');
      expect(renamed.settings).toEqual(settings);
      expect(renamed.updatedAt).toEqual(at(1));
      const next = { ...settings, tiersEnabled: false, retention: { mode: 'lifetime' as const } };
      const updated = await scope.program.update({ settings: next }, at(2));
      expect(updated).toMatchObject({ name: 'Renamed', settings: next, updatedAt: at(2) });
      expect(await scope.program.get()).toEqual(updated);
    });

    it('moves the test clock', async () => {
      const scope = await newProgram(store(), 'test');
      expect((await scope.program.get()).clockNow).toEqual(T0);
      await scope.program.setClock(at(60 * 24));
      expect((await scope.program.get()).clockNow).toEqual(at(60 * 24));
    });

    it('locks the program inside a transaction', async () => {
      const scope = await newProgram(store());
      const locked = await scope.transaction((tx) => tx.program.lock());
      expect(locked.id).toBe(scope.programId);
    });

    it('answers ping', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });
  });
}
