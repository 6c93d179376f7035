/** Agenda 6 on the application's own database (server or embedded), started and stopped with the service. */
import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda } from 'agenda';
import type { Logger } from 'pino';
import type { AgendaPool } from '../store/postgres/agenda-pool.js';
import { defineJobs, JOB, type JobDeps, registerSchedules } from './schedules.js';

export interface SchedulerOptions {
  /** How often Agenda polls for due jobs. */
  processEveryMs: number;
  /** How often the tick runs. */
  tickEveryMs: number;
  /** A job whose worker died is retried after this long. */
  lockLifetimeMs: number;
  /** Identifies this instance in Agenda's job rows. */
  name: string;
}

/** The running scheduler. */
export interface Scheduler {
  /** Run one program's due work soon (a resync that must not wait for the next tick). */
  kick(programId: string): Promise<void>;
  /** Throws when the job store cannot be reached. */
  ping(): Promise<void>;
  stop(): Promise<void>;
}

export async function startScheduler(
  pool: AgendaPool,
  deps: JobDeps & { logger: Logger },
  opts: SchedulerOptions,
): Promise<Scheduler> {
  const backend = new PostgresBackend({
    pool: pool as unknown as NonNullable<ConstructorParameters<typeof PostgresBackend>[0]>['pool'],
    disableNotifications: true,
  });
  const agenda = new Agenda({
    backend,
    name: opts.name,
    processEvery: opts.processEveryMs,
    defaultLockLifetime: opts.lockLifetimeMs,
  });
  agenda.on('error', (err: unknown) => deps.logger.error({ err }, 'scheduler error'));
  agenda.on('fail', (err: unknown, job: { attrs: { name: string } }) =>
    deps.logger.error({ err, job: job.attrs.name }, 'scheduled job failed'),
  );
  defineJobs(agenda, deps);
  await agenda.start();
  await registerSchedules(agenda, opts.tickEveryMs);
  return {
    async kick(programId) {
      await agenda.now(JOB.programDue, { programId });
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async stop() {
      // Agenda stops taking jobs but does not wait for running ones; the store closes after them.
      const draining = deps.scheduling.close();
      await agenda.stop();
      await draining;
    },
  };
}
