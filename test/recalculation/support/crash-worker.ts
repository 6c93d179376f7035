/**
 * Child process of the crash test: works a run in tiny batches and announces each batch while it
 * sits inside the batch's transaction (writes done, not committed), so the parent can SIGKILL it
 * mid-batch. Usage: node --import tsx crash-worker.ts <databaseUrl> <programId> <runId> [concurrency]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { RecalculationService } from '../../../src/features/recalculation/recalculation-service.js';
import { openStore } from '../../../src/store/open-store.js';

const [databaseUrl, programId, runId, loops] = process.argv.slice(2);
if (!databaseUrl || !programId || !runId)
  throw new Error('usage: crash-worker <databaseUrl> <programId> <runId>');
const store = await openStore({ databaseUrl, dataDir: 'memory://' });
const service = new RecalculationService({
  store,
  logger: pino({ level: 'silent' }),
  leaseMs: 1500,
  // One batch at a time by default, so the kill lands in a known batch.
  concurrency: Number(loops ?? 1),
  hooks: {
    async beforeCommit(_runId, batch) {
      process.stdout.write(`in-batch ${batch.seq}\n`);
      await sleep(400);
    },
  },
});
await service.work(programId, runId, { batchSize: 5 });
process.stdout.write('finished\n');
await store.close();
