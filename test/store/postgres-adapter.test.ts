import { tmpdir } from 'node:os';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { testDatabaseUrl } from '../support/db.js';
import { appendEntries, entry, newCustomer, newProgram } from './contract-fixtures.js';

/** Behaviour specific to the pg server driver (PGlite runs one statement at a time, so none of this arises). */
describe('PostgreSQL adapter', () => {
  it('migrates a fresh database once when several instances open it at the same time', async () => {
    const name = `tierpass_mig_${Date.now()}_${process.pid}`;
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(testDatabaseUrl());
    url.pathname = `/${name}`;
    const applied: object[] = [];
    const logger = { info: (obj: object) => applied.push(obj) };
    const stores: Store[] = [];
    try {
      stores.push(
        ...(await Promise.all(
          Array.from({ length: 4 }, () =>
            openStore({ databaseUrl: url.toString(), dataDir: tmpdir(), logger }),
          ),
        )),
      );
      // Every migration applied exactly once, in order, although four instances raced.
      const versions = (applied as { version: number }[]).map((m) => m.version);
      expect(applied[0]).toEqual({ version: 1, name: '001_init.sql' });
      expect(new Set(versions).size).toBe(versions.length);
      expect([...versions].sort((x, y) => x - y)).toEqual(versions);
      const scope = await newProgram(stores[3] as Store);
      expect((await stores[0]?.scoped(scope.programId).program.get())?.id).toBe(scope.programId);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('re-runs a unit of work that lost a deadlock, so both transactions succeed', async () => {
    const store = await openStore({ databaseUrl: testDatabaseUrl(), dataDir: tmpdir() });
    try {
      const scope = await newProgram(store);
      const a = await newCustomer(scope);
      const b = await newCustomer(scope);
      let attempts = 0;
      let arrived = 0;
      let release: () => void = () => {};
      const bothHoldOne = new Promise<void>((resolve) => {
        release = resolve;
      });
      // Each locks one customer, waits until the other holds its own, then locks the other: a deadlock.
      const crossLock = (first: string, second: string) =>
        scope.transaction(async (tx) => {
          attempts++;
          await tx.customers.lock(first);
          if (++arrived === 2) release();
          await bothHoldOne;
          await tx.customers.lock(second);
          return appendEntries(tx, first, [entry(`from-${first}`, { current: 1 })]);
        });
      await Promise.all([crossLock(a, b), crossLock(b, a)]);
      // At least one retry (the deadlock victim); under load PostgreSQL may pick a victim twice.
      expect(attempts).toBeGreaterThanOrEqual(3);
      expect((await scope.customers.get(a))?.balances.current).toBe(1);
      expect((await scope.customers.get(b))?.balances.current).toBe(1);
    } finally {
      await store.close();
    }
  });
});
