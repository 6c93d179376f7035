/**
 * A small pool of child processes that run image jobs with hard bounds. libvips decodes and
 * librsvg renders in native threads, which neither a JS timeout nor worker_threads'
 * `resourceLimits` (JS heap only) can stop; a child process can be killed. Each running job
 * is watched through /proc/<pid>/stat and /proc/<pid>/status every POLL_MS:
 * - CPU time of the child over `cpuMs` → killed, 422 `artwork_too_complex` (the image's own
 *   cost: CPU time does not grow with the machine's load);
 * - resident memory over `maxRssBytes` → killed, 422 `artwork_too_complex`;
 * - wall time over `wallMs` while under the CPU budget → killed, 503 `image_work_overloaded`
 *   with Retry-After (the machine was too busy: not the client's fault);
 * - the caller's AbortSignal (client gone, upload superseded) → killed, its reason thrown.
 * Jobs beyond the children wait in a FIFO of at most `queue`; beyond it 503 `image_work_busy`.
 * A killed child is replaced on demand; children start lazily, exit after `idleMs` without a
 * job (an idle service keeps none resident) and exit with the parent.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, badRequest, unprocessable } from '../../errors.js';
import type { ImageJob, ImageJobReply } from './image-work-protocol.js';

export interface ImageWorkLimits {
  /** Child processes; each uses one libvips thread, so at most this many cores. */
  workers: number;
  /** Jobs that may wait for a free child; beyond it 503 `image_work_busy`. */
  queue: number;
  /** CPU time one job may use (all of the child's threads). */
  cpuMs: number;
  /** Wall time one job may take once a child runs it. */
  wallMs: number;
  /** Resident memory a child may reach during a job. */
  maxRssBytes: number;
  /** Most pixels a decoder accepts (sharp `limitInputPixels`). */
  maxPixels: number;
  /** An idle child exits after this long (each holds ~90 MB; the next job starts one again). */
  idleMs?: number;
}

export const DEFAULT_IMAGE_WORK_LIMITS: ImageWorkLimits = {
  workers: 2,
  queue: 8,
  cpuMs: 10_000,
  wallMs: 30_000,
  maxRssBytes: 768 * 1024 * 1024,
  maxPixels: 25_000_000,
  idleMs: 60_000,
};

/** A refusal that asks the client to come back (`Retry-After`, in seconds). */
export class RetryLaterError extends AppError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(503, code, message);
  }
}

const POLL_MS = 20;
/** Linux USER_HZ: /proc CPU times are in these ticks. */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds and resident bytes of a process, or null where /proc is not there. */
export function processUsage(pid: number): { cpuMs: number; rssBytes: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
    return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssBytes: Number(rss ?? 0) * 1024 };
  } catch {
    return null;
  }
}

type JobSpec = ImageJob extends infer J ? (J extends unknown ? Omit<J, 'id'> : never) : never;

interface Waiting {
  spec: JobSpec;
  signal: AbortSignal | undefined;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  /** Set while the child is idle: ends it after `idleMs`. */
  idleTimer?: NodeJS.Timeout;
}

/** What the signal's abort means for the caller: its reason when that is an AppError. */
function abortReason(signal: AbortSignal): AppError {
  return signal.reason instanceof AppError
    ? signal.reason
    : badRequest('request_aborted', 'The request was aborted');
}

export class ImageWorkPool {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private readonly waiting: Waiting[] = [];
  private seq = 0;
  /** Peak resident memory seen of any child during a job (tests and the bench read it). */
  peakChildRssBytes = 0;

  constructor(readonly limits: ImageWorkLimits = DEFAULT_IMAGE_WORK_LIMITS) {}

  /** Process ids of the children alive now (busy or idle). */
  get pids(): number[] {
    return [...this.all].map((w) => w.child.pid ?? 0);
  }

  /** Children running a job now. */
  get busy(): number {
    return this.all.size - this.idle.length;
  }

  /** Run a job on a child; rejects with the job's AppError or a budget refusal. */
  run<T>(spec: JobSpec, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<T>((resolve, reject) => {
      const w: Waiting = { spec, signal, resolve: resolve as (v: unknown) => void, reject };
      const worker = this.takeIdle() ?? (this.all.size < this.limits.workers ? this.spawn() : undefined);
      if (worker) return void this.start(worker, w);
      if (this.waiting.length >= this.limits.queue) {
        return reject(
          new RetryLaterError('image_work_busy', 'Too many images are being processed; try again shortly', 5),
        );
      }
      this.waiting.push(w);
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.waiting.indexOf(w);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            reject(abortReason(signal));
          }
        },
        { once: true },
      );
    });
  }

  /** Kill every child (they start again on the next job). */
  async close(): Promise<void> {
    for (const w of this.all) {
      clearTimeout(w.idleTimer);
      w.child.kill('SIGKILL');
    }
    this.all.clear();
    this.idle.length = 0;
  }

  private spawn(): Worker {
    const here = fileURLToPath(import.meta.url);
    const ext = extname(here);
    // From source (tsx, jest) the child is TypeScript too; compiled, it is the .js beside this.
    const child = fork(join(dirname(here), `image-work-child${ext}`), [String(this.limits.maxPixels)], {
      execArgv: ext === '.ts' ? ['--import', 'tsx'] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = new Promise<void>((resolve) => {
      const onReady = (msg: unknown) => {
        if ((msg as { ready?: boolean }).ready) {
          child.off('message', onReady);
          resolve();
        }
      };
      child.on('message', onReady);
      child.once('exit', () => resolve());
    });
    const worker: Worker = { child, ready };
    child.once('exit', () => this.forget(worker));
    this.all.add(worker);
    this.unref(child);
    return worker;
  }

  /** An idle child must not keep the process alive (it exits with its parent). */
  private unref(child: ChildProcess): void {
    child.unref();
    child.channel?.unref();
  }

  private takeIdle(): Worker | undefined {
    const worker = this.idle.pop();
    if (worker) clearTimeout(worker.idleTimer);
    return worker;
  }

  private forget(worker: Worker): void {
    clearTimeout(worker.idleTimer);
    this.all.delete(worker);
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next) return void this.start(worker, next);
    this.idle.push(worker);
    this.unref(worker.child);
    const idleMs = this.limits.idleMs ?? DEFAULT_IMAGE_WORK_LIMITS.idleMs;
    if (idleMs === undefined) return;
    worker.idleTimer = setTimeout(() => {
      this.forget(worker);
      worker.child.kill();
    }, idleMs);
    worker.idleTimer.unref();
  }

  /** A child was killed or died: hand the next waiting job to a new one. */
  private replace(): void {
    const next = this.waiting.shift();
    if (next) this.start(this.spawn(), next);
  }

  private start(worker: Worker, w: Waiting): void {
    const { child } = worker;
    child.ref();
    child.channel?.ref();
    const id = ++this.seq;
    let settled = false;
    let poll: NodeJS.Timeout | undefined;
    let wall: NodeJS.Timeout | undefined;
    let startCpu = 0;
    const done = () => {
      settled = true;
      clearInterval(poll);
      clearTimeout(wall);
      child.off('message', onMessage);
      child.off('exit', onExit);
      w.signal?.removeEventListener('abort', onAbort);
    };
    const kill = (err: AppError) => {
      if (settled) return;
      done();
      this.forget(worker);
      child.kill('SIGKILL');
      w.reject(err);
      this.replace();
    };
    const onMessage = (msg: ImageJobReply) => {
      if (msg.id !== id || settled) return;
      done();
      if (msg.ok) w.resolve(msg.result);
      else w.reject(new AppError(msg.error.status, msg.error.code, msg.error.message));
      // malloc keeps freed arenas: a child left large after a job is replaced.
      const usage = child.pid ? processUsage(child.pid) : null;
      if (usage) this.peakChildRssBytes = Math.max(this.peakChildRssBytes, usage.rssBytes);
      if (usage && usage.rssBytes > this.limits.maxRssBytes / 2) {
        this.forget(worker);
        child.kill('SIGKILL');
        this.replace();
      } else this.release(worker);
    };
    const onExit = () => {
      if (settled) return;
      done();
      this.forget(worker);
      w.reject(badRequest('artwork_unreadable', 'The image decoder stopped on this image'));
      this.replace();
    };
    const onAbort = () => kill(abortReason(w.signal as AbortSignal));
    if (w.signal?.aborted) {
      // Gone before it started: the child stays free for the next job.
      settled = true;
      w.reject(abortReason(w.signal));
      return void this.release(worker);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
    w.signal?.addEventListener('abort', onAbort, { once: true });
    worker.ready.then(() => {
      if (settled) return;
      const pid = child.pid ?? 0;
      startCpu = processUsage(pid)?.cpuMs ?? 0;
      poll = setInterval(() => {
        const usage = processUsage(pid);
        if (!usage) return;
        this.peakChildRssBytes = Math.max(this.peakChildRssBytes, usage.rssBytes);
        if (usage.cpuMs - startCpu > this.limits.cpuMs) {
          kill(
            unprocessable(
              'artwork_too_complex',
              `The image needs more than ${this.limits.cpuMs} ms of CPU to render`,
            ),
          );
        } else if (usage.rssBytes > this.limits.maxRssBytes) {
          const mb = Math.round(this.limits.maxRssBytes / 1024 / 1024);
          kill(
            unprocessable('artwork_too_complex', `The image needs more than ${mb} MB of memory to render`),
          );
        }
      }, POLL_MS);
      wall = setTimeout(() => {
        kill(
          new RetryLaterError(
            'image_work_overloaded',
            `The server was too busy to finish the image within ${this.limits.wallMs} ms; try again later`,
            30,
          ),
        );
      }, this.limits.wallMs);
      child.send({ ...w.spec, id });
    });
  }
}
