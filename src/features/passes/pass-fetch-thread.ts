/**
 * Pass fetches served by a thread of their own at a lower OS priority (decision 0054): the
 * thread reads the customer, tiers and branding through its own small PostgreSQL pool, builds,
 * signs (RSA inline, on the thread), zips and writes the update tag, exactly as the service does
 * in-process (`PassService.applePass`, the same code). On Linux the thread lowers its own
 * scheduling priority (`nice`), so when orders and a burst of fetches want the same cores, the
 * kernel runs the orders first; the event loop only parses the request and writes the answer.
 *
 * If the thread cannot start, or stops with fetches in flight, those fetches are served in-process
 * as before (`null` here, the caller's fallback); the fetch after a stop starts a new thread.
 */
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { PassConditions } from './pass-conditions.js';
import type { PassResult } from './pass-service.js';

/** What the thread needs to serve fetches on its own; plain data (it crosses to the thread). */
export interface PassThreadData {
  /** The PostgreSQL server the service uses (a thread cannot share an embedded PGlite). */
  databaseUrl: string;
  /** Connections of the thread's own pool. */
  poolSize: number;
  /** Directory of the signer and WWDR certificates (the configured one, or the development PKI). */
  certsDir: string;
  keyPassphrase: string | undefined;
  passTypeIdentifier: string;
  teamIdentifier: string;
  /** pass-templates/ */
  templatesDir: string;
  /** The shopper-link secret (pass tokens are derived from it). */
  linkSecret: string;
  publicUrl: string;
  /** The thread's pass cache, in passes. */
  cacheEntries: number;
  /** The thread's nice value (0 = as the process, 19 = lowest). */
  nice: number;
}

/** A fetch asked of the thread. */
export interface PassThreadRequest {
  id: number;
  ctx: ProgramContext;
  customerId: string;
  conditions: PassConditions;
}

/** The thread's answers: ready (or not) once, then one per request, and warnings to log. */
export type PassThreadMessage =
  | { kind: 'ready'; tid: number | null; nice: number | null }
  | { kind: 'failed'; message: string }
  | { kind: 'result'; id: number; result: PassResult; stats: PassThreadStats }
  | {
      kind: 'error';
      id: number;
      error: { status?: number; code?: string; message: string };
      stats: PassThreadStats;
    }
  | { kind: 'warn'; obj: object; msg: string };

/** Passes the thread signed and served from its cache since it started. */
export interface PassThreadStats {
  builds: number;
  cacheHits: number;
}

export interface PassFetchThreadOptions extends PassThreadData {
  /** The thread's entry module (src/pass-fetch-worker.ts, or .js compiled). */
  entry: URL;
  logger: {
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
    info(obj: object, msg?: string): void;
  };
}

interface Running {
  worker: Worker;
  /** Resolves true once the thread is ready, false if it failed to start. */
  ready: Promise<boolean>;
  pending: Map<number, { resolve: (r: PassResult | null) => void; reject: (e: Error) => void }>;
  /** Its counters as last reported. */
  stats: PassThreadStats;
}

export class PassFetchThread {
  private running: Running | undefined;
  private nextId = 1;
  /** Counters of the threads that have exited, added to the running one's. */
  private past: PassThreadStats = { builds: 0, cacheHits: 0 };
  /** Threads started (the first, and each after one stopped). */
  starts = 0;
  /** The running thread's Linux thread id and nice value (null where they could not be set). */
  lowered: { tid: number | null; nice: number | null } | undefined;

  constructor(private readonly opts: PassFetchThreadOptions) {}

  /** Builds and cache hits of every thread this process ran. */
  get stats(): PassThreadStats {
    const now = this.running?.stats ?? { builds: 0, cacheHits: 0 };
    return { builds: this.past.builds + now.builds, cacheHits: this.past.cacheHits + now.cacheHits };
  }

  /** The pass, from the thread; `null` when the thread is not available (serve it in-process). */
  async fetch(
    ctx: ProgramContext,
    customerId: string,
    conditions: PassConditions,
  ): Promise<PassResult | null> {
    const running = this.running ?? this.start();
    if (!(await running.ready)) return null;
    const id = this.nextId++;
    return new Promise<PassResult | null>((resolve, reject) => {
      running.pending.set(id, { resolve, reject });
      const request: PassThreadRequest = { id, ctx, customerId, conditions };
      running.worker.postMessage(request);
    });
  }

  /** Stop the thread (shutdown); fetches in flight fail, a later fetch starts a new thread. */
  async close(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (running) await running.worker.terminate();
  }

  private start(): Running {
    const { entry, logger, ...data } = this.opts;
    this.starts += 1;
    const worker = startWorker(entry, data);
    // Like the image children, an idle thread must not keep the process alive.
    worker.unref();
    let settle: (ok: boolean) => void = () => {};
    const running: Running = {
      worker,
      ready: new Promise<boolean>((resolve) => {
        settle = resolve;
      }),
      pending: new Map(),
      stats: { builds: 0, cacheHits: 0 },
    };
    worker.on('message', (m: PassThreadMessage) => {
      switch (m.kind) {
        case 'ready':
          if (m.nice === null) logger.warn({}, 'pass fetch thread: priority not lowered (not Linux?)');
          this.lowered = { tid: m.tid, nice: m.nice };
          settle(true);
          return;
        case 'failed':
          logger.error({ err: m.message }, 'pass fetch thread did not start: passes are built in-process');
          settle(false);
          return;
        case 'warn':
          logger.warn(m.obj, m.msg);
          return;
        case 'result':
        case 'error': {
          running.stats = m.stats;
          const waiting = running.pending.get(m.id);
          running.pending.delete(m.id);
          if (!waiting) return;
          if (m.kind === 'result') waiting.resolve(reviveResult(m.result));
          else waiting.reject(reviveError(m.error));
        }
      }
    });
    worker.on('error', (err) => logger.error({ err }, 'pass fetch thread failed'));
    worker.once('exit', (code) => {
      settle(false);
      if (this.running === running) this.running = undefined;
      this.past = {
        builds: this.past.builds + running.stats.builds,
        cacheHits: this.past.cacheHits + running.stats.cacheHits,
      };
      // The fetches it held are served in-process instead; the next one starts a new thread.
      if (running.pending.size > 0)
        logger.warn({ code, fetches: running.pending.size }, 'pass fetch thread stopped');
      for (const { resolve } of running.pending.values()) resolve(null);
      running.pending.clear();
    });
    this.running = running;
    return running;
  }
}

/**
 * The thread, from its compiled .js, or from TypeScript source (tsx, jest): then through a small
 * bootstrap that registers tsx's loader in the thread before importing the entry.
 */
function startWorker(entry: URL, data: PassThreadData): Worker {
  if (extname(fileURLToPath(entry)) !== '.ts') return new Worker(entry, { workerData: data });
  // tsx's ESM API, found from the entry (its CommonJS twin registers a path that does not exist).
  const pkg = createRequire(fileURLToPath(entry)).resolve('tsx/package.json');
  const api = pathToFileURL(join(dirname(pkg), 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** Buffers and dates cross threads as Uint8Array and Date: give the body back its Buffer. */
function reviveResult(r: PassResult): PassResult {
  if (r.notModified) return r;
  const body = r.body as Uint8Array;
  return { ...r, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
}

/** The thread's refusal as the same AppError (404 customer_not_found …), anything else as a fault. */
function reviveError(e: { status?: number; code?: string; message: string }): Error {
  if (e.status !== undefined && e.code !== undefined) return new AppError(e.status, e.code, e.message);
  return new Error(`pass fetch thread: ${e.message}`);
}
