import { tmpdir } from 'node:os';
import { openStore } from '../../src/store/open-store.js';
import { testDatabaseUrl } from '../support/db.js';
import { storeContract } from './store-contract.js';

storeContract('PostgreSQL server', () => openStore({ databaseUrl: testDatabaseUrl(), dataDir: tmpdir() }));
