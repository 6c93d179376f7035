import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import { newCustomer, newProgram } from './contract-fixtures.js';
import { storeContract } from './store-contract.js';

storeContract('embedded PGlite (memory)', () => openStore({ dataDir: 'memory://' }));

describe('embedded PGlite data directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tierpass-pglite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps data across reopen and applies migrations only once', async () => {
    const logged: object[] = [];
    const logger = { info: (obj: object) => logged.push(obj) };
    const dataDir = join(dir, 'nested', 'db');

    const first = await openStore({ dataDir, logger });
    const scope = await newProgram(first);
    const cid = await newCustomer(scope);
    await first.close();
    expect(logged).toContainEqual({ version: 1, name: '001_init.sql' });

    logged.length = 0;
    const second = await openStore({ dataDir, logger });
    try {
      expect(logged).toEqual([]);
      expect((await second.scoped(scope.programId).customers.get(cid))?.id).toBe(cid);
    } finally {
      await second.close();
    }
    // Two opens, the first running initdb in WebAssembly in a child process (~5 s on an idle
    // machine, ~50 s measured with both cores loaded; minutes when several test runs share them).
  }, 240_000);
});
