/**
 * Child process of the orphaned-sync test: the real app takes POST /v1/sync, prints the job id,
 * and works the run in tiny batches, announcing each batch while it sits inside the batch's
 * transaction (writes done, not committed), so the parent can SIGKILL it mid-batch.
 * Usage: node --import tsx sync-crash-worker.ts <databaseUrl> <apiKey>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../../src/app.js';
import { systemClock } from '../../../src/clock.js';
import { openStore } from '../../../src/store/open-store.js';

const [databaseUrl, apiKey] = process.argv.slice(2);
if (!databaseUrl || !apiKey) throw new Error('usage: sync-crash-worker <databaseUrl> <apiKey>');
const store = await openStore({ databaseUrl, dataDir: 'memory://' });
const { app } = buildApp({
  store,
  clock: systemClock,
  logger: pino({ level: 'silent' }),
  adminToken: 'unused-admin-token-0123456789',
  recalculation: {
    batchSize: 5,
    leaseMs: 1500,
    // One batch at a time, so the kill lands in a known batch.
    concurrency: 1,
    hooks: {
      async beforeCommit(_runId, batch) {
        process.stdout.write(`in-batch ${batch.seq}\n`);
        await sleep(400);
      },
    },
  },
});
const res = await request(app).post('/v1/sync').set('Authorization', `Bearer ${apiKey}`);
if (res.status !== 202) throw new Error(`POST /v1/sync answered ${res.status}`);
process.stdout.write(`job ${res.body.jobId}\n`);
