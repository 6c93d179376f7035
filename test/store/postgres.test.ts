import { tmpdir } from 'node:os';
import { openStore } from '../../src/store/open-store.js';
import { testDatabaseUrl } from '../support/db.js';
import { createTempDatabase } from '../support/temp-db.js';
import { appendEntries, entry, newCustomer, newProgram } from './contract-fixtures.js';
import { storeContract } from './store-contract.js';

// A database of its own: the outbox contract claims across programs, as the worker does, and
// must neither take other test files' rows nor leave due rows for their dispatchers.
let contractDb: { url: string; drop(): Promise<void> } | undefined;
storeContract('PostgreSQL server', async () => {
  contractDb = await createTempDatabase();
  return openStore({ databaseUrl: contractDb.url, dataDir: tmpdir() });
});
afterAll(async () => {
  await contractDb?.drop();
});

describe('group commit turned off (GROUP_COMMIT_SIZE=1)', () => {
  it('runs every customer transaction as its own transaction, all at once', async () => {
    const store = await openStore({
      databaseUrl: testDatabaseUrl(),
      dataDir: tmpdir(),
      customerGroups: { concurrency: 2, maxSize: 1 },
    });
    try {
      const scope = await newProgram(store);
      const ids = await Promise.all(Array.from({ length: 20 }, () => newCustomer(scope)));
      let inFlight = 0;
      let most = 0;
      await Promise.all(
        ids.map((cid) =>
          scope.customerTransaction(cid, async (tx) => {
            inFlight++;
            most = Math.max(most, inFlight);
            await tx.customers.lock(cid);
            await appendEntries(tx, cid, [entry(`k-${cid}`, { current: 4 })]);
            inFlight--;
          }),
        ),
      );
      // Not held to GROUP_COMMIT_CONCURRENCY: the pool is the only limit.
      expect(most).toBeGreaterThan(2);
      expect(store.groupCommitStats()).toEqual({ transactions: 20, units: 20, rerun: 0 });
      for (const cid of ids) expect((await scope.customers.get(cid))?.balances.current).toBe(4);
    } finally {
      await store.close();
    }
  });
});
