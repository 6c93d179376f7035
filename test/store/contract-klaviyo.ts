import type { NewWebhookEvent } from '../../src/domain/webhook-events.js';
import type { ProgramScope } from '../../src/store/port.js';
import { at, entry, newCustomer, newProgram, outcome, type StoreRef, T0 } from './contract-fixtures.js';

/**
 * The Klaviyo destination (migration 034, docs/decisions/0044): one connection per program; with
 * one, storing an outcome stores its events and queues a `klaviyo_profile_changed` row per event
 * and one for the profile when the balance or tier moved; the claim hands a customer's rows out
 * in order and holds them back while an earlier one waits.
 */
export function klaviyoContract(store: StoreRef): void {
  describe('klaviyo', () => {
    let scope: ProgramScope;
    beforeEach(async () => {
      scope = await newProgram(store());
    });
    const sealed = { apiKeySealed: 'sb1.k.a.b.c', keyHint: 'cdef', accountId: 'ACC1' };
    const event = (customerId: string, type: NewWebhookEvent['type'], n: number): NewWebhookEvent => ({
      customerId,
      type,
      data: { n, customer: { id: customerId } },
      at: at(n),
    });
    const claim = (limit = 100) => store().klaviyoQueue.claim(limit, 60_000, scope.programId);

    it('saves, replaces, marks and removes the one connection', async () => {
      expect(await scope.klaviyo.get()).toBeNull();
      expect(await scope.klaviyo.setState('needs_attention', 'x', T0)).toBe(false);
      const saved = await scope.klaviyo.save(sealed, T0);
      expect(saved).toEqual({
        programId: scope.programId,
        ...sealed,
        state: 'connected',
        lastError: null,
        connectedAt: T0,
        updatedAt: T0,
      });
      expect(await scope.klaviyo.setState('needs_attention', 'Klaviyo answered 401', at(1))).toBe(true);
      expect(await scope.klaviyo.get()).toMatchObject({
        state: 'needs_attention',
        lastError: 'Klaviyo answered 401',
        updatedAt: at(1),
        connectedAt: T0,
      });
      // Saving a new key connects again and clears the error.
      const replaced = await scope.klaviyo.save({ ...sealed, keyHint: 'wxyz', accountId: 'ACC2' }, at(2));
      expect(replaced).toMatchObject({
        keyHint: 'wxyz',
        accountId: 'ACC2',
        state: 'connected',
        lastError: null,
      });
      expect(await scope.klaviyo.get()).toEqual(replaced);
      // Another program sees nothing of it.
      expect(await (await newProgram(store())).klaviyo.get()).toBeNull();
      expect(await scope.klaviyo.remove()).toBe(true);
      expect(await scope.klaviyo.remove()).toBe(false);
      expect(await scope.klaviyo.get()).toBeNull();
    });

    it('queues nothing without a connection; with one, a row per event then the profile, in order', async () => {
      const cid = await newCustomer(scope);
      await scope.transaction((tx) =>
        tx.outcomes.store(
          outcome(cid, {
            at: at(1),
            entries: [entry('e1', { current: 5 })],
            events: [event(cid, 'tier.upgraded', 1)],
          }),
        ),
      );
      expect(await claim()).toEqual([]);

      await scope.klaviyo.save(sealed, T0);
      let woke = 0;
      store().outbox.onQueued(() => {
        woke += 1;
      });
      await scope.transaction((tx) =>
        tx.outcomes.store(
          outcome(cid, {
            at: at(2),
            entries: [entry('e2', { current: 5 })],
            events: [event(cid, 'tier.upgraded', 2), event(cid, 'customer.tags_changed', 3)],
          }),
        ),
      );
      expect(woke).toBeGreaterThan(0);
      // Nothing moved and nothing to announce: nothing queued.
      await scope.transaction((tx) => tx.outcomes.store(outcome(cid, { at: at(4) })));
      const rows = await claim();
      expect(rows.map((r) => [r.customerId, r.kind, r.eventId === null])).toEqual([
        [cid, 'klaviyo_profile_changed', false],
        [cid, 'klaviyo_profile_changed', false],
        [cid, 'klaviyo_profile_changed', true],
      ]);
      expect(rows.every((r) => r.programId === scope.programId && r.attempts === 0)).toBe(true);
      const ids = rows.flatMap((r) => (r.eventId === null ? [] : [r.eventId]));
      const events = await scope.klaviyo.events([...ids, 'evt_missing']);
      expect(events.map((e) => [e.id, e.customerId, e.type, e.data.n, e.occurredAt])).toEqual([
        [ids[0], cid, 'tier.upgraded', 2, at(2)],
        [ids[1], cid, 'customer.tags_changed', 3, at(3)],
      ]);
      // Leased: not claimed again.
      expect(await claim()).toEqual([]);
      await store().outbox.done(rows.map((r) => r.id));
      expect(await claim()).toEqual([]);
    });

    it('hands a customer’s rows out in order: a waiting row holds back the later ones', async () => {
      await scope.klaviyo.save(sealed, T0);
      const a = await newCustomer(scope);
      const b = await newCustomer(scope);
      const queue = (cid: string, n: number) =>
        scope.transaction((tx) =>
          tx.outcomes.store(outcome(cid, { at: at(n), events: [event(cid, 'tier.upgraded', n)] })),
        );
      await queue(a, 1);
      await queue(a, 2);
      await queue(a, 3);
      const first = await claim(2);
      expect(first.map((r) => r.customerId)).toEqual([a, a]);
      const [a1, a2] = first;
      await store().outbox.done([a1?.id as string]);
      // a2 backs off; a3 (never claimed, due) must wait for it.
      await store().outbox.retry([a2?.id as string], 60_000, 'Klaviyo answered 503');
      await queue(b, 4);
      const next = await claim();
      expect(next.map((r) => r.customerId)).toEqual([b]);
      await store().outbox.done(next.map((r) => r.id));
      // Another program's claim does not see these rows.
      const other = await newProgram(store());
      expect(await store().klaviyoQueue.claim(100, 60_000, other.programId)).toEqual([]);
      expect(await claim()).toEqual([]);
    });

    it('re-seals the key with the other credentials: only values not under the prefix, each once', async () => {
      await scope.klaviyo.save({ ...sealed, apiKeySealed: 'old.key' }, T0);
      const current = await newProgram(store());
      await current.klaviyo.save({ ...sealed, apiKeySealed: 'cur.key' }, T0);
      const mine = new Set([scope.programId, current.programId]);
      const seen: string[] = [];
      const walk = () =>
        store().resealCredentials((c) => {
          // Other programs' rows (other tests share the database) stay as they are.
          if (!mine.has(c.programId)) return null;
          seen.push(`${c.kind}:${c.programId}:${c.sealed}`);
          return `cur.${c.sealed}`;
        }, 'cur.');
      // Two walks at once (several workers starting): the value is rewritten once.
      const [a, b] = await Promise.all([walk(), walk()]);
      expect(a.klaviyoApiKey + b.klaviyoApiKey).toBe(1);
      expect(new Set(seen)).toEqual(new Set([`klaviyoApiKey:${scope.programId}:old.key`]));
      expect((await scope.klaviyo.get())?.apiKeySealed).toBe('cur.old.key');
      expect((await current.klaviyo.get())?.apiKeySealed).toBe('cur.key');
      seen.length = 0;
      expect((await walk()).klaviyoApiKey).toBe(0);
      expect(seen).toEqual([]);
    });

    it('queues an erasure (the sealed value given the email) after the customer’s rows; done forgets it', async () => {
      const a = await newCustomer(scope);
      const b = await newCustomer(scope);
      // Without a connection nothing is queued for Klaviyo.
      const seen: (string | null)[] = [];
      const klaviyoErasure = (email: string | null) => {
        seen.push(email);
        return `sealed(${email})`;
      };
      await scope.privacy.redactCustomer(b, at(1), { klaviyoErasure });
      expect(await claim()).toEqual([]);
      await scope.klaviyo.save(sealed, T0);
      await scope.transaction((tx) =>
        tx.outcomes.store(outcome(a, { at: at(2), events: [event(a, 'tier.upgraded', 2)] })),
      );
      await scope.privacy.redactCustomer(a, at(3), { klaviyoErasure });
      expect(seen).toEqual([`${a}@example.com`]);
      // A replay (nothing personal left) queues nothing more.
      await scope.privacy.redactCustomer(a, at(4), { klaviyoErasure });
      const rows = await claim();
      expect(rows.map((r) => [r.customerId, r.eventId !== null, r.erasureSealed])).toEqual([
        [a, true, null],
        [a, false, `sealed(${a}@example.com)`],
      ]);
      expect(await scope.klaviyo.redacted([a, b, 'nobody'])).toEqual(expect.arrayContaining([a, b]));
      expect((await scope.klaviyo.redacted([a, b, 'nobody'])).length).toBe(2);
      await store().klaviyoQueue.done(rows.map((r) => r.id));
      // Done rows keep no erasure value to re-seal.
      const walked: string[] = [];
      await store().resealCredentials((c) => {
        if (c.programId === scope.programId) walked.push(c.kind);
        return null;
      }, 'cur.');
      expect(walked).toEqual(['klaviyoApiKey']);
      expect(await claim()).toEqual([]);
    });

    it('keeps one profile sync per program: started once while running, leased, saved by its worker, resumed when free', async () => {
      expect(await scope.klaviyo.sync()).toBeNull();
      const lease = (n: number) => at(n);
      const started = await scope.klaviyo.startSync(
        { id: 'ks1', total: 7, worker: 'w1', leaseUntil: lease(60) },
        T0,
      );
      expect(started).toMatchObject({
        id: 'ks1',
        state: 'running',
        cursor: null,
        total: 7,
        sent: 0,
        worker: 'w1',
      });
      // While it runs, another start is refused and changes nothing.
      expect(
        await scope.klaviyo.startSync({ id: 'ks2', total: 9, worker: 'w2', leaseUntil: lease(60) }, at(1)),
      ).toBeNull();
      // Another worker cannot take it while the lease lasts; its own worker can.
      expect(await scope.klaviyo.claimSync('ks1', 'w2', lease(90), at(2))).toBeNull();
      expect(await scope.klaviyo.claimSync('ks1', 'w1', lease(90), at(2))).toMatchObject({ worker: 'w1' });
      // Only the holder saves; a wait releases the lease and hides it from claims until due.
      expect(await scope.klaviyo.saveSync('ks1', 'w2', { sent: 5, leaseUntil: lease(90) }, at(3))).toBeNull();
      const waiting = await scope.klaviyo.saveSync(
        'ks1',
        'w1',
        { cursor: 'c3', sent: 3, jobs: 1, retryAt: at(100), lastError: null, leaseUntil: null },
        at(3),
      );
      expect(waiting).toMatchObject({
        cursor: 'c3',
        sent: 3,
        jobs: 1,
        retryAt: at(100),
        worker: null,
        leaseUntil: null,
      });
      const mine = async (now: Date) =>
        (await store().klaviyoQueue.syncsToResume(now, 1000)).filter((r) => r.programId === scope.programId);
      expect(await mine(at(50))).toEqual([]);
      expect(await scope.klaviyo.claimSync('ks1', 'w2', lease(150), at(50))).toBeNull();
      expect(await mine(at(100))).toEqual([{ programId: scope.programId, id: 'ks1' }]);
      expect(await scope.klaviyo.claimSync('ks1', 'w2', lease(150), at(100))).toMatchObject({
        worker: 'w2',
        cursor: 'c3',
      });
      // Finished: no longer resumed, and a new start replaces it.
      expect(
        await scope.klaviyo.saveSync(
          'ks1',
          'w2',
          { state: 'done', finishedAt: at(101), retryAt: null, leaseUntil: null },
          at(101),
        ),
      ).toMatchObject({ state: 'done', finishedAt: at(101), sent: 3 });
      expect(await mine(at(200))).toEqual([]);
      const again = await scope.klaviyo.startSync(
        { id: 'ks2', total: 9, worker: 'w3', leaseUntil: lease(300) },
        at(200),
      );
      expect(again).toMatchObject({
        id: 'ks2',
        state: 'running',
        cursor: null,
        sent: 0,
        jobs: 0,
        total: 9,
        finishedAt: null,
      });
    });

    it('pages customer ids in order with whether they were erased', async () => {
      const ids = [
        await newCustomer(scope, 'kp-b'),
        await newCustomer(scope, 'kp-a'),
        await newCustomer(scope, 'kp-c'),
      ];
      await scope.privacy.redactCustomer('kp-b', at(1));
      expect(ids).toHaveLength(3);
      expect(await scope.klaviyo.customerPage('', 2)).toEqual([
        { id: 'kp-a', redacted: false },
        { id: 'kp-b', redacted: true },
      ]);
      expect(await scope.klaviyo.customerPage('kp-b', 10)).toEqual([{ id: 'kp-c', redacted: false }]);
    });
  });
}
