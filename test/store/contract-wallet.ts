import type { OutboxItem, OutboxKind } from '../../src/store/outbox-port.js';
import type { ProgramScope } from '../../src/store/port.js';
import {
  appendEntries,
  at,
  entry,
  newCustomer,
  newProgram,
  outcome,
  placeCustomer,
  type StoreRef,
  T0,
  tierInput,
  uid,
} from './contract-fixtures.js';

/**
 * The wallet side of the port: PassKit device registrations (and the Store-level device lookup),
 * the wallet health counts, pass-wide outbox changes, push times and the legacy token sealing.
 * Google Wallet state is in contract-outbox.ts, pass identities in contract-passes.ts.
 */
export function walletContract(store: StoreRef): void {
  describe('pass registrations', () => {
    let scope: ProgramScope;
    /** A customer with a pass; returns its serial. */
    const passOf = async (target: ProgramScope, customer?: string): Promise<string> => {
      const id = customer ?? (await newCustomer(target));
      const pass = await target.passes.ensure(
        id,
        { serial: `${target.programId}.${uid('s')}`, authTokenHash: uid('hash') },
        T0,
      );
      return pass.serial;
    };
    beforeEach(async () => {
      scope = await newProgram(store());
    });

    it('registers a device once, refreshing its push token, and unregisters it', async () => {
      const serial = await passOf(scope);
      const device = uid('device');
      expect(await scope.passRegistrations.register(device, serial, 'tok1', T0)).toEqual({ created: true });
      expect(await scope.passRegistrations.register(device, serial, 'tok2', at(1))).toEqual({
        created: false,
      });
      expect(await scope.passRegistrations.devicesOfSerial(serial)).toEqual([
        { deviceId: device, serial, pushToken: 'tok2', createdAt: T0, updatedAt: at(1) },
      ]);
      expect(await scope.passRegistrations.serialsOfDevice(device)).toEqual([serial]);
      expect(await scope.passRegistrations.unregister(device, serial)).toBe(true);
      expect(await scope.passRegistrations.unregister(device, serial)).toBe(false);
      expect(await scope.passRegistrations.devicesOfSerial(serial)).toEqual([]);
      expect(await scope.passRegistrations.serialsOfDevice(device)).toEqual([]);
    });

    it('lists a device’s serials and a serial’s devices', async () => {
      const [s1, s2] = [await passOf(scope), await passOf(scope)];
      const [d1, d2] = ['dev-a', 'dev-b'].map((d) => `${d}-${uid('x')}`) as [string, string];
      await scope.passRegistrations.register(d1, s1, 't1', T0);
      await scope.passRegistrations.register(d1, s2, 't1', T0);
      await scope.passRegistrations.register(d2, s1, 't2', T0);
      expect((await scope.passRegistrations.serialsOfDevice(d1)).sort()).toEqual([s1, s2].sort());
      expect((await scope.passRegistrations.devicesOfSerial(s1)).map((r) => r.deviceId).sort()).toEqual(
        [d1, d2].sort(),
      );
      expect(await scope.passRegistrations.devicesOfSerial('unknown')).toEqual([]);
    });

    it('finds push targets of customers with a pass, with distinct tokens', async () => {
      const [a, b, none] = [await newCustomer(scope), await newCustomer(scope), await newCustomer(scope)];
      const sa = await passOf(scope, a);
      await passOf(scope, b);
      await scope.passRegistrations.register(uid('d'), sa, 'shared', T0);
      await scope.passRegistrations.register(uid('d'), sa, 'shared', T0);
      await scope.passRegistrations.register(uid('d'), sa, 'own', T0);
      const targets = await scope.passRegistrations.pushTargets([a, b, none, 'unknown']);
      const byCustomer = new Map(targets.map((t) => [t.pass.customerId, t]));
      expect([...byCustomer.keys()].sort()).toEqual([a, b].sort());
      expect(byCustomer.get(a)?.pass).toEqual(await scope.passes.get(a));
      expect(byCustomer.get(a)?.pushTokens.sort()).toEqual(['own', 'shared']);
      expect(byCustomer.get(b)?.pushTokens).toEqual([]);
      expect(await scope.passRegistrations.pushTargets([])).toEqual([]);
    });

    it('removes registrations by push token, one or many', async () => {
      const [s1, s2] = [await passOf(scope), await passOf(scope)];
      const d = uid('d');
      await scope.passRegistrations.register(d, s1, 'gone', T0);
      await scope.passRegistrations.register(d, s2, 'gone', T0);
      await scope.passRegistrations.register(uid('d'), s1, 'old1', T0);
      await scope.passRegistrations.register(uid('d'), s2, 'old2', T0);
      await scope.passRegistrations.register(uid('d'), s2, 'kept', T0);
      expect(await scope.passRegistrations.removePushToken('gone')).toBe(2);
      expect(await scope.passRegistrations.removePushToken('gone')).toBe(0);
      expect(await scope.passRegistrations.removePushTokens(['old1', 'old2', 'nope'])).toBe(2);
      expect(await scope.passRegistrations.removePushTokens([])).toBe(0);
      expect((await scope.passRegistrations.devicesOfSerial(s2)).map((r) => r.pushToken)).toEqual(['kept']);
      expect(await scope.passRegistrations.devicesOfSerial(s1)).toEqual([]);
    });

    it('keeps programs apart; the Store finds the programs a device is registered in', async () => {
      const other = await newProgram(store());
      const [mine, theirs] = [await passOf(scope), await passOf(other)];
      const device = uid('device');
      expect(await store().programsOfPassDevice(device)).toEqual([]);
      await scope.passRegistrations.register(device, mine, 'tok', T0);
      await other.passRegistrations.register(device, theirs, 'tok', T0);
      expect((await store().programsOfPassDevice(device)).sort()).toEqual(
        [scope.programId, other.programId].sort(),
      );
      expect(await scope.passRegistrations.serialsOfDevice(device)).toEqual([mine]);
      expect(await scope.passRegistrations.devicesOfSerial(theirs)).toEqual([]);
      expect(await scope.passRegistrations.unregister(device, theirs)).toBe(false);
      expect(await scope.passRegistrations.removePushToken('tok')).toBe(1);
      expect(await other.passRegistrations.serialsOfDevice(device)).toEqual([theirs]);
      expect(await store().programsOfPassDevice(device)).toEqual([other.programId]);
    });
  });

  describe('wallet health, pass-wide changes and push times', () => {
    let scope: ProgramScope;
    beforeEach(async () => {
      scope = await newProgram(store());
    });
    /** This program's due rows of `kind` (claims are across programs). */
    const claim = async (kind: OutboxKind): Promise<OutboxItem[]> =>
      (await store().outbox.claim(kind, 1000, 60_000)).filter((i) => i.programId === scope.programId);

    it('counts passes, devices, registrations and Google objects by state, with the latest failures', async () => {
      const customers = [await newCustomer(scope), await newCustomer(scope), await newCustomer(scope)];
      const serials: string[] = [];
      for (const c of customers.slice(0, 2)) {
        serials.push(
          (await scope.passes.ensure(c, { serial: `${scope.programId}.${uid('s')}`, authTokenHash: 'h' }, T0))
            .serial,
        );
      }
      const [d1, d2] = [uid('d'), uid('d')];
      await scope.passRegistrations.register(d1, serials[0] ?? '', 't1', T0);
      await scope.passRegistrations.register(d1, serials[1] ?? '', 't1', T0);
      await scope.passRegistrations.register(d2, serials[0] ?? '', 't2', T0);
      const [c1, c2, c3] = customers as [string, string, string];
      for (const c of customers) await scope.googleWallet.ensureObject(c, `issuer.${uid('o')}`, T0);
      await scope.googleWallet.recordSync(
        c1,
        { classId: 'issuer.gold', tierId: null, contentHash: 'x' },
        at(1),
      );
      await scope.googleWallet.recordError(c2, 'HTTP 400', at(2));
      await scope.googleWallet.recordError(c3, 'HTTP 404', at(3));
      const window = { since: at(-60), until: at(60) };
      const counts = await scope.walletHealth.counts(window, 1);
      expect(counts).toEqual({
        applePasses: 2,
        devices: 2,
        registrations: 3,
        pushes: { sent: 0, failed: 0 },
        googleObjects: { total: 3, synced: 1, pending: 0, failing: 2 },
        googleFailures: [{ customerId: c3, objectId: expect.any(String), error: 'HTTP 404', at: at(3) }],
      });
      expect((await scope.walletHealth.counts(window, 10)).googleFailures.map((f) => f.customerId)).toEqual([
        c3,
        c2,
      ]);
      // A fresh object is pending; another program counts nothing of these.
      await scope.googleWallet.ensureObject(await newCustomer(scope), `issuer.${uid('o')}`, T0);
      expect((await scope.walletHealth.counts(window, 0)).googleObjects).toEqual({
        total: 4,
        synced: 1,
        pending: 1,
        failing: 2,
      });
      expect(await (await newProgram(store())).walletHealth.counts(window, 5)).toMatchObject({
        applePasses: 0,
        devices: 0,
        registrations: 0,
        googleObjects: { total: 0 },
        googleFailures: [],
      });
    });

    it('queues pass-wide changes for the customers with a wallet pass, of one tier or all', async () => {
      const gold = (await scope.transaction((tx) => tx.tiers.create(uid('gold'), tierInput('Gold'), T0))).id;
      const [inGold, plain, google] = [
        await newCustomer(scope),
        await newCustomer(scope),
        await newCustomer(scope),
      ];
      await newCustomer(scope); // no pass at all
      const placement = {
        tierTags: [],
        tierSince: T0,
        lastChangeReason: 'qualified' as const,
        bonusedTierIds: [],
      };
      await scope.transaction((tx) => placeCustomer(tx, inGold, { ...placement, tierId: gold }, T0));
      for (const c of [inGold, plain]) {
        const pass = await scope.passes.ensure(
          c,
          { serial: `${scope.programId}.${uid('s')}`, authTokenHash: 'h' },
          T0,
        );
        await scope.passRegistrations.register(uid('d'), pass.serial, uid('t'), T0);
      }
      // A pass on no device gets no push.
      await scope.passes.ensure(google, { serial: `${scope.programId}.${uid('s')}`, authTokenHash: 'h' }, T0);
      await scope.googleWallet.ensureObject(google, `issuer.${uid('o')}`, T0);

      await scope.transaction((tx) => tx.outbox.passesChanged({ tierId: gold }));
      expect((await claim('apple_pass_changed')).map((i) => i.customerId)).toEqual([inGold]);
      expect(await claim('google_object_changed')).toEqual([]);

      await scope.transaction((tx) => tx.outbox.passesChanged());
      expect((await claim('apple_pass_changed')).map((i) => i.customerId).sort()).toEqual(
        [inGold, plain].sort(),
      );
      expect((await claim('google_object_changed')).map((i) => i.customerId)).toEqual([google]);

      await expect(
        scope.transaction(async (tx) => {
          await tx.outbox.passesChanged();
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await claim('apple_pass_changed')).toEqual([]);
    });

    it('queues pass changes with the entries of an outcome that asks, in the same transaction', async () => {
      const customer = await newCustomer(scope);
      const pass = await scope.passes.ensure(
        customer,
        { serial: `${scope.programId}.${uid('s')}`, authTokenHash: 'h' },
        T0,
      );
      await scope.passRegistrations.register(uid('d'), pass.serial, uid('t'), T0);
      await scope.googleWallet.ensureObject(customer, `issuer.${uid('o')}`, T0);
      await scope.transaction((tx) => appendEntries(tx, customer, [entry('quiet', { current: 1 })]));
      expect(await claim('apple_pass_changed')).toEqual([]);
      expect(await claim('google_object_changed')).toEqual([]);
      await scope.transaction((tx) =>
        tx.outcomes.store(
          outcome(customer, { entries: [entry('loud', { current: 2 })], passes: ['apple', 'google'] }),
        ),
      );
      expect((await scope.customers.get(customer))?.balances.current).toBe(3);
      expect((await claim('apple_pass_changed')).map((i) => i.customerId)).toEqual([customer]);
      expect((await claim('google_object_changed')).map((i) => i.customerId)).toEqual([customer]);
      await expect(
        scope.transaction(async (tx) => {
          await tx.outcomes.store(
            outcome(customer, { entries: [entry('undone', { current: 4 })], passes: ['apple', 'google'] }),
          );
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await claim('apple_pass_changed')).toEqual([]);
      expect((await scope.customers.get(customer))?.balances.current).toBe(3);
    });

    it('records when a pass was last pushed, per program', async () => {
      const customer = await newCustomer(scope);
      expect((await store().outbox.lastPushAges(scope.programId, [customer])).size).toBe(0);
      await store().outbox.recordPushes(scope.programId, [customer]);
      const age = (await store().outbox.lastPushAges(scope.programId, [customer])).get(customer);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(10 * 60_000);
      await store().outbox.recordPushes(scope.programId, [customer]);
      expect((await store().outbox.lastPushAges(scope.programId, [customer])).has(customer)).toBe(true);
      const other = await newProgram(store());
      expect((await store().outbox.lastPushAges(other.programId, [customer])).size).toBe(0);
    });
  });

  describe('legacy pass tokens', () => {
    it('leaves passes whose token is derived alone when sealing legacy tokens', async () => {
      const scope = await newProgram(store());
      const customer = await newCustomer(scope);
      const pass = await scope.passes.ensure(
        customer,
        { serial: `${scope.programId}.${uid('s')}`, authTokenHash: uid('hash') },
        T0,
      );
      expect(pass.legacyAuthToken).toBeNull();
      const sealedTokens: string[] = [];
      const seal = (token: string) => {
        sealedTokens.push(token);
        return `sealed:${token}`;
      };
      const sealed = await store().sealLegacyPassTokens(seal, 'sealed:');
      expect(sealed).toBe(sealedTokens.length);
      // Nothing is left to seal the second time.
      expect(await store().sealLegacyPassTokens(seal, 'sealed:')).toBe(0);
      expect(await scope.passes.get(customer)).toEqual(pass);
    });
  });
}
