/**
 * Worker processes (WORKERS > 1, docs/decisions/0016-worker-processes.md): the primary process
 * forks WORKERS copies of the service, which share the listening port (node:cluster hands each
 * new connection to a worker in turn). One Node event loop is one core; with a PostgreSQL server
 * every worker is a complete, stateless instance of the service (what SPEC 4 already asks of
 * several instances: outbox, runs and Agenda all share work through the database).
 * Worker 0 starts first (it creates the files the workers share and applies migrations), the
 * others once it listens. Worker 0 alone runs the Agenda scheduler; a worker that dies is
 * started again.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { startRateLimitPrimary } from './http/rate-limits.js';

/** Environment variable telling a forked process which worker it is (0 … WORKERS-1); read by config. */
export const WORKER_INDEX_ENV = 'TIERPASS_WORKER_INDEX';

/** A worker that exits this soon after starting counts as a failed start. */
const QUICK_EXIT_MS = 10_000;
/** Failed starts in a row after which the primary gives up (a broken config, a port in use). */
const MAX_QUICK_EXITS = 5;

/** This process's worker index (config.workerIndex), or undefined when it is not a forked worker. */
export function workerIndex(config: Config): number | undefined {
  return cluster.isWorker ? config.workerIndex : undefined;
}

/** True when this process should fork workers instead of serving. */
export function shouldFork(config: Config): boolean {
  return config.workers > 1 && cluster.isPrimary;
}

/**
 * Run as the primary: fork `config.workers` workers, restart any that die, forward SIGINT /
 * SIGTERM and exit once all of them have stopped. Prints the quick-start banner once, when the
 * first worker listens (workers do not print it).
 */
export function runPrimary(config: Config, logger: Logger): void {
  const adminToken = config.adminToken ?? `tpa_${randomBytes(24).toString('base64url')}`;
  const generated = config.adminToken === undefined;
  const workers = new Map<Worker, { index: number; startedAt: number }>();
  let quickExits = 0;
  let stopping = false;
  let stopCode = 0;
  let announced = false;

  // Rate limits hold for the whole service: the workers' counters live here (0021).
  startRateLimitPrimary();

  const fork = (index: number) => {
    const worker = cluster.fork({
      [WORKER_INDEX_ENV]: String(index),
      // Every worker must accept the same admin token.
      ADMIN_TOKEN: adminToken,
      // One scheduler is enough: the others serve HTTP and dispatch on commit.
      SCHEDULER: index === 0 && config.scheduler ? 'on' : 'off',
    });
    workers.set(worker, { index, startedAt: Date.now() });
  };

  cluster.on('listening', () => {
    if (announced) return;
    announced = true;
    // Worker 0 has made what the workers share on disk (development PKI, pass link secret) and
    // applied the migrations: the others can start now without racing it.
    for (let i = 1; i < config.workers; i++) fork(i);
    const url = `http://localhost:${config.port}`;
    logger.info({ url, workers: config.workers }, 'Tierpass listening');
    console.log(
      `\nTierpass is running at ${url}  (${config.workers} worker processes, storage: PostgreSQL server)`,
    );
    if (generated) {
      console.log(`Admin token (generated for this run; set ADMIN_TOKEN to keep one): ${adminToken}`);
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    const known = workers.get(worker);
    workers.delete(worker);
    if (stopping) {
      if (workers.size === 0) process.exit(stopCode);
      return;
    }
    if (known === undefined) return;
    const quick = Date.now() - known.startedAt < QUICK_EXIT_MS;
    quickExits = quick ? quickExits + 1 : 0;
    if (quickExits >= MAX_QUICK_EXITS) {
      logger.fatal({ code, signal }, 'workers keep exiting right after start; giving up');
      stop(1);
      return;
    }
    logger.error({ worker: known.index, code, signal }, 'worker exited; starting it again');
    setTimeout(() => fork(known.index), quick ? 1000 : 0).unref();
  });

  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    stopCode = exitCode;
    // Workers get 10 s to finish their requests (main.ts); this is the backstop.
    const force = setTimeout(() => process.exit(exitCode || 1), 15_000);
    force.unref();
    if (workers.size === 0) process.exit(exitCode);
    for (const worker of workers.keys()) worker.process.kill('SIGTERM');
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));

  fork(0);
}
