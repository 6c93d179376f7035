import { createHash, randomBytes } from 'node:crypto';
import { at, newProgram, type StoreRef } from './contract-fixtures.js';

function newHash(): string {
  return createHash('sha256').update(randomBytes(32)).digest('hex');
}

/** Console sessions (docs/decisions/0023): found by id hash until revoked or ended. */
export function sessionContract(store: StoreRef): void {
  describe('console sessions', () => {
    it('finds a live session with its program until it ends', async () => {
      const scope = await newProgram(store());
      const idHash = newHash();
      await store().sessions.create({
        idHash,
        programId: scope.programId,
        createdAt: at(0),
        expiresAt: at(60),
      });
      const found = await store().sessions.find(idHash, at(59));
      expect(found).toEqual({ expiresAt: at(60), program: await scope.program.get() });
      // The end is absolute and exclusive.
      expect(await store().sessions.find(idHash, at(60))).toBeNull();
      expect(await store().sessions.find(newHash(), at(1))).toBeNull();
    });

    it('revokes a session once', async () => {
      const scope = await newProgram(store());
      const idHash = newHash();
      await store().sessions.create({
        idHash,
        programId: scope.programId,
        createdAt: at(0),
        expiresAt: at(60),
      });
      expect(await store().sessions.revoke(idHash, at(1))).toBe(true);
      expect(await store().sessions.find(idHash, at(2))).toBeNull();
      expect(await store().sessions.revoke(idHash, at(3))).toBe(false);
      expect(await store().sessions.revoke(newHash(), at(3))).toBe(false);
    });

    it('keeps other sessions of the program when one signs out or a new one starts', async () => {
      const scope = await newProgram(store());
      const [a, b, c] = [newHash(), newHash(), newHash()];
      await store().sessions.create({
        idHash: a,
        programId: scope.programId,
        createdAt: at(0),
        expiresAt: at(10),
      });
      await store().sessions.create({
        idHash: b,
        programId: scope.programId,
        createdAt: at(0),
        expiresAt: at(90),
      });
      await store().sessions.revoke(b, at(1));
      // A sign-in after `a` ended drops the ended and revoked ones; the new one is live.
      await store().sessions.create({
        idHash: c,
        programId: scope.programId,
        createdAt: at(20),
        expiresAt: at(80),
      });
      expect(await store().sessions.find(a, at(5))).toBeNull();
      expect(await store().sessions.find(b, at(5))).toBeNull();
      expect((await store().sessions.find(c, at(21)))?.program.id).toBe(scope.programId);
    });

    it('refuses a second session with the same id hash', async () => {
      const scope = await newProgram(store());
      const idHash = newHash();
      await store().sessions.create({
        idHash,
        programId: scope.programId,
        createdAt: at(0),
        expiresAt: at(60),
      });
      await expect(
        store().sessions.create({ idHash, programId: scope.programId, createdAt: at(1), expiresAt: at(60) }),
      ).rejects.toThrow();
    });
  });
}
