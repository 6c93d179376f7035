/**
 * Rate limits (docs/decisions/0021): failed credential checks per client, and expensive
 * operations per program and per client. Counted by rate-limiter-flexible in this process
 * (`memory`) or, with WORKERS, in the primary over node:cluster IPC (`cluster`), so a limit
 * holds for the whole service. Successful credential checks never count and never wait for a
 * counter: they read only this process's list of blocked clients, which is empty in normal use.
 */
import cluster from 'node:cluster';
import type { Request } from 'express';
import {
  type RateLimiterAbstract,
  RateLimiterCluster,
  RateLimiterClusterMaster,
  RateLimiterMemory,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { AppError } from '../errors.js';

/** The credentials whose failed checks are counted, each in its own budget per client. */
export type CredentialKind = 'admin' | 'apiKey' | 'passToken' | 'shopperLink' | 'signIn';

export interface RateLimitOptions {
  /** Failed checks of one credential kind allowed per client and window; 0 turns the limit off. */
  authFailures: number;
  /** Window of `authFailures`, seconds. */
  authWindowSeconds: number;
  /** Calls of one expensive operation allowed per program and window; 0 turns the limit off. */
  expensivePerProgram: number;
  /** Calls of one expensive operation allowed per client and window; 0 turns the limit off. */
  expensivePerClient: number;
  /** Window of the expensive-operation limits, seconds. */
  expensiveWindowSeconds: number;
  /** `memory`: counted in this process; `cluster`: by the primary of the WORKERS processes. */
  store: 'memory' | 'cluster';
}

export const DEFAULT_RATE_LIMITS: RateLimitOptions = {
  authFailures: 30,
  authWindowSeconds: 60,
  expensivePerProgram: 120,
  expensivePerClient: 240,
  expensiveWindowSeconds: 60,
  store: 'memory',
};

/** A 429 `rate_limited` answer; the error handler sends `Retry-After`. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    /** Whole seconds until a retry can succeed (at least 1). */
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'rate_limited', message);
  }
}

/** Blocks seen by one worker, relayed by the primary to the others (src/workers.ts). */
const BLOCK_CHANNEL = 'tierpass_rate_block';
interface BlockMessage {
  channel: typeof BLOCK_CHANNEL;
  key: string;
  until: number;
}
function isBlockMessage(m: unknown): m is BlockMessage {
  return typeof m === 'object' && m !== null && (m as { channel?: unknown }).channel === BLOCK_CHANNEL;
}

/**
 * The primary's part with WORKERS: the counters every worker's `cluster` limits use, and the
 * relay of blocks so every worker refuses a blocked client at once.
 */
export function startRateLimitPrimary(): void {
  new RateLimiterClusterMaster();
  cluster.on('message', (from, msg: unknown) => {
    if (!isBlockMessage(msg)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker && worker !== from && worker.isConnected()) worker.send(msg);
    }
  });
}

/**
 * The client a request counts against: its address (through `trust proxy`), IPv6 by /64,
 * since one host commonly holds a whole /64.
 */
export function clientOf(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  if (!ip.includes(':') || ip.startsWith('::ffff:')) return ip.replace(/^::ffff:/, '');
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(ip: string): string[] {
  const [head = '', tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...fill, ...right].map((h) => h.toLowerCase().replace(/^0+(?=.)/, ''));
}

function retryAfter(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The limits of one app: its counters and this process's list of blocked clients. */
export class RateLimits {
  private readonly authFailures: RateLimiterAbstract | undefined;
  private readonly perProgram: RateLimiterAbstract | undefined;
  private readonly perClient: RateLimiterAbstract | undefined;
  /** `kind:client` → epoch ms until which its credential checks answer 429. */
  private readonly blocked = new Map<string, number>();

  constructor(readonly options: RateLimitOptions = DEFAULT_RATE_LIMITS) {
    const limiter = (keyPrefix: string, points: number, duration: number) => {
      if (points <= 0) return undefined;
      const opts = { keyPrefix, points, duration };
      return options.store === 'cluster' ? new RateLimiterCluster(opts) : new RateLimiterMemory(opts);
    };
    this.authFailures = limiter('auth-failures', options.authFailures, options.authWindowSeconds);
    this.perProgram = limiter(
      'expensive-program',
      options.expensivePerProgram,
      options.expensiveWindowSeconds,
    );
    this.perClient = limiter('expensive-client', options.expensivePerClient, options.expensiveWindowSeconds);
    if (options.store === 'cluster' && this.authFailures) {
      process.on('message', (msg: unknown) => {
        if (isBlockMessage(msg)) this.block(msg.key, msg.until);
      });
    }
  }

  /** Throws 429 while this client is blocked for `kind`; free while nobody is blocked. */
  checkCredential(req: Request, kind: CredentialKind): void {
    if (this.blocked.size === 0) return;
    const key = `${kind}:${clientOf(req)}`;
    const until = this.blocked.get(key);
    if (until === undefined) return;
    const left = until - Date.now();
    if (left <= 0) {
      this.blocked.delete(key);
      return;
    }
    throw tooManyFailures(retryAfter(left));
  }

  /** Counts a failed check; throws 429 (instead of the caller's 401) once over the limit. */
  async credentialFailed(req: Request, kind: CredentialKind): Promise<void> {
    if (!this.authFailures) return;
    const key = `${kind}:${clientOf(req)}`;
    const rejected = await this.authFailures.consume(key).then(
      () => undefined,
      (res: unknown) => rejection(res),
    );
    if (!rejected) return;
    const until = Date.now() + rejected.msBeforeNext;
    this.block(key, until);
    if (this.options.store === 'cluster') process.send?.({ channel: BLOCK_CHANNEL, key, until });
    throw tooManyFailures(retryAfter(rejected.msBeforeNext));
  }

  /** Counts one call of an expensive operation by `programId` from this client; throws 429 over either limit. */
  async expensive(req: Request, operation: string, programId: string | undefined): Promise<void> {
    const checks: Promise<RateLimiterRes | undefined>[] = [];
    if (this.perProgram && programId)
      checks.push(consumeOrRejection(this.perProgram, `${operation}:${programId}`));
    if (this.perClient) checks.push(consumeOrRejection(this.perClient, `${operation}:${clientOf(req)}`));
    const rejected = (await Promise.all(checks)).filter((r): r is RateLimiterRes => r !== undefined);
    if (rejected.length === 0) return;
    const wait = Math.max(...rejected.map((r) => r.msBeforeNext));
    throw new RateLimitedError(
      `Too many ${operation} requests; retry in ${retryAfter(wait)} s`,
      retryAfter(wait),
    );
  }

  private block(key: string, until: number): void {
    if (until > (this.blocked.get(key) ?? 0)) this.blocked.set(key, until);
  }
}

function tooManyFailures(seconds: number): RateLimitedError {
  return new RateLimitedError(
    `Too many failed credential checks from this client; retry in ${seconds} s`,
    seconds,
  );
}

/**
 * The limiter's answer when over the limit. Its own failures (an IPC timeout when the primary
 * is gone) let the request through: a limit never turns an answer into a 500.
 */
function rejection(res: unknown): RateLimiterRes | undefined {
  return res instanceof RateLimiterRes ? res : undefined;
}

function consumeOrRejection(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | undefined> {
  return limiter.consume(key).then(() => undefined, rejection);
}
