/**
 * The outbox worker's handler of `apple_pass_changed` rows (SPEC 5): records the pass's new
 * update tag, then sends an empty push to each registered device. At most one push per pass
 * per minute; tokens APNs calls gone are unregistered; 429 / 5xx / connection trouble retry
 * with backoff.
 *
 * Set-based (docs/decisions/0014-batched-push-dispatch.md): a claimed batch of rows is handled
 * with a few statements per program whatever its size — the passes with their devices' tokens,
 * their last push times, the program, the tag refresh (one customer read, one tag write), then
 * one `sendEmpty` with every token of the batch (node-apn multiplexes them over HTTP/2), then
 * the push records, the removed registrations and the rows' outcomes. Each pass still gets its
 * own outcome: one that cannot be built, or whose device APNs asks to retry, is retried alone.
 * The worker (features/outbox) runs the claim loop, two stages deep: while one batch is pushed
 * and its outcomes written, the next is claimed and prepared (reads, tag refresh), so the
 * database round trips overlap the APNs traffic.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { PushOutcome, PushSender } from '../../integrations/apple/push-sender.js';
import type { OutboxItem } from '../../store/outbox-port.js';
import type { PushTarget } from '../../store/pass-registration-port.js';
import type { OutboxHandler, OutboxRun } from '../outbox/outbox-handler.js';
import type { RetryPolicy } from '../outbox/retry-policy.js';
import { programNow } from '../programs/program-context.js';
import type { PassService } from './pass-service.js';
import type { PassesGlobalStore, PassesStore } from './passes-store.js';

export interface ApplePushHandlerDeps {
  /** Outbox and the scoped pass data. */
  store: PassesStore & Pick<PassesGlobalStore, 'outbox'>;
  /** Refreshes the passes' update tags before the push. */
  passes: PassService;
  /** APNs. */
  sender: PushSender;
  /** APNs topic: the pass type id. */
  topic: string;
  /** Program time for the pass build. */
  clock: Clock;
  /** Delivery errors. */
  logger: Pick<Logger, 'warn' | 'error'>;
  /** Pushes per pass at most once in this window (default one minute). */
  coalesceMs?: number;
  /** Outbox rows claimed (and pushed together) at a time (default 500). */
  batchSize?: number;
}

const BATCH = 500;
const LEASE_MS = 2 * 60_000;
/** 2 s, 4 s, 8 s … capped at an hour; abandoned after the 12th failed attempt. */
const RETRY: RetryPolicy = { baseMs: 2000, maxMs: 3_600_000, maxAttempts: 12 };
/** The value of `key`, created with `make` when absent. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What one dispatch did. */
export interface DispatchReport {
  /** Passes pushed. */
  pushed: number;
  /** Passes held back by coalescing or retried later. */
  deferred: number;
  /** Registrations removed because APNs called their token gone. */
  unregistered: number;
}

/** The claimed rows of one pass. */
interface PassRows {
  programId: string;
  customerId: string;
  items: OutboxItem[];
}

/** A pass whose tag is recorded, waiting for the batch's push. */
interface Ready {
  rows: PassRows;
  tokens: string[];
  /** Program time of the push (the hour the health panel counts it in). */
  at: Date;
}

/** A claimed batch, prepared: the passes to push and what becomes of the others' rows. */
interface Batch {
  ready: Ready[];
  settle: Settlement;
}

const passKey = (rows: PassRows) => `${rows.programId}\0${rows.customerId}`;

/** What becomes of a batch's rows, written together at its end. */
interface Settlement {
  done: string[];
  retry: { id: string; delayMs: number; error?: string }[];
  /** Passes pushed, by program (push records). */
  pushed: Map<string, string[]>;
  /** Passes retried after an error, for one log line per batch. */
  failed: { ids: string[]; error: string; attempts: number }[];
  /** Device tokens APNs accepted or not, by program (the health panel's push counts). */
  outcomes: Map<string, { at: Date; sent: Set<string>; failed: Set<string> }>;
}

type Run = OutboxRun<DispatchReport, string>;

export class ApplePushHandler implements OutboxHandler<OutboxItem, DispatchReport, string, Batch> {
  readonly label = 'pass push';
  readonly retry = RETRY;
  readonly batchSize: number;

  constructor(private readonly deps: ApplePushHandlerDeps) {
    this.batchSize = deps.batchSize ?? BATCH;
  }

  /** Every failure (a pass not built, APNs trouble) is worth retrying until the policy gives up. */
  classify(): 'retry' {
    return 'retry';
  }

  newReport(): DispatchReport {
    return { pushed: 0, deferred: 0, unregistered: 0 };
  }

  claim(limit: number): Promise<OutboxItem[]> {
    return this.deps.store.outbox.claim('apple_pass_changed', limit, LEASE_MS);
  }

  onQueued(listener: () => void): void {
    this.deps.store.outbox.onQueued(listener);
  }

  /** The passes of `inFlight` (being pushed right now) count as pushed for coalescing. */
  prepare(items: OutboxItem[], run: Run, inFlight: Batch | undefined): Promise<Batch> {
    return this.prepareBatch(items, run, new Set(inFlight?.ready.map((r) => passKey(r.rows))));
  }

  async handle(batch: Batch, run: Run): Promise<void> {
    if (batch.ready.length > 0) await this.push(batch.ready, batch.settle, run);
    await this.write(batch.settle);
  }

  private async prepareBatch(items: OutboxItem[], run: Run, inFlight: Set<string>): Promise<Batch> {
    // Program → customer → the pass's rows.
    const byProgram = new Map<string, Map<string, PassRows>>();
    for (const item of items) {
      const passes = entry(byProgram, item.programId, () => new Map<string, PassRows>());
      const rows = entry(passes, item.customerId, () => ({
        programId: item.programId,
        customerId: item.customerId,
        items: [] as OutboxItem[],
      }));
      rows.items.push(item);
    }
    const settle: Settlement = { done: [], retry: [], pushed: new Map(), failed: [], outcomes: new Map() };
    const ready: Ready[] = [];
    for (const [programId, passes] of byProgram) {
      try {
        ready.push(...(await this.preparePasses(programId, passes, settle, run, inFlight)));
      } catch (err) {
        // A read or the tag write for the whole program failed: its passes try again later.
        for (const rows of passes.values()) this.fail(rows, message(err), settle, run);
      }
    }
    return { ready, settle };
  }

  /**
   * The passes of one program's rows that are to be pushed now, with their tags recorded.
   * Passes on no device are done; passes pushed less than `coalesceMs` ago wait for the rest of
   * that window, and so do passes of `inFlight` (being pushed by the previous batch right now);
   * a pass whose tag cannot be refreshed is retried alone. `settle` changes only
   * once every read and write here has succeeded (on a throw, the caller retries all of them).
   */
  private async preparePasses(
    programId: string,
    passes: Map<string, PassRows>,
    settle: Settlement,
    run: Run,
    inFlight: Set<string>,
  ): Promise<Ready[]> {
    const { store, clock } = this.deps;
    const scope = store.scoped(programId);
    const targets = new Map(
      (await scope.passRegistrations.pushTargets([...passes.keys()])).map((t) => [t.pass.customerId, t]),
    );
    const onDevices: PushTarget[] = [];
    const done: string[] = [];
    const postponed: Settlement['retry'] = [];
    const coalesceMs = this.deps.coalesceMs ?? 60_000;
    /** Passes postponed (in flight, or pushed within `coalesceMs`). */
    let waiting = 0;
    for (const rows of passes.values()) {
      const target = targets.get(rows.customerId);
      if (!target || target.pushTokens.length === 0) done.push(...rows.items.map((i) => i.id));
      else if (inFlight.has(passKey(rows))) {
        waiting += 1;
        for (const item of rows.items) postponed.push({ id: item.id, delayMs: coalesceMs });
      } else onDevices.push(target);
    }
    if (onDevices.length === 0) {
      settle.done.push(...done);
      settle.retry.push(...postponed);
      run.report.deferred += waiting;
      return [];
    }
    const ages = await store.outbox.lastPushAges(
      programId,
      onDevices.map((t) => t.pass.customerId),
    );
    const due: PushTarget[] = [];
    for (const target of onDevices) {
      const age = ages.get(target.pass.customerId);
      if (age === undefined || age >= coalesceMs) {
        due.push(target);
        continue;
      }
      // Postponed, not dropped: the rows come back when the window ends (no attempt counted).
      waiting += 1;
      for (const item of (passes.get(target.pass.customerId) as PassRows).items) {
        postponed.push({ id: item.id, delayMs: coalesceMs - age });
      }
    }
    // Record the new tags first: each device's "serials updated since" then finds them at once.
    let tags = new Map<string, unknown>();
    let now = clock.now();
    if (due.length > 0) {
      const program = await scope.program.get();
      now = programNow(program, clock);
      tags = await this.deps.passes.refreshTags(
        { program, now },
        due.map((t) => t.pass),
      );
    }
    settle.done.push(...done);
    settle.retry.push(...postponed);
    run.report.deferred += waiting;
    const ready: Ready[] = [];
    for (const target of due) {
      const rows = passes.get(target.pass.customerId) as PassRows;
      const tag = tags.get(target.pass.customerId);
      if (tag === undefined || tag instanceof Error) {
        this.fail(rows, tag instanceof Error ? tag.message : 'pass tag not refreshed', settle, run);
      } else ready.push({ rows, tokens: target.pushTokens, at: now });
    }
    return ready;
  }

  /** One push to every token of the batch, then each pass's outcome from its own tokens. */
  private async push(ready: Ready[], settle: Settlement, run: Run): Promise<void> {
    const { report } = run;
    const { sender, topic, logger } = this.deps;
    // A device holding several changed passes is pushed once: Wallet then asks about all of them.
    const tokens = [...new Set(ready.flatMap((r) => r.tokens))];
    let outcome: PushOutcome;
    try {
      outcome = await sender.sendEmpty(topic, tokens);
    } catch (err) {
      logger.warn({ err, tokens: tokens.length }, 'APNs send failed');
      outcome = { sent: [], invalid: [], retry: tokens, rejected: [] };
    }
    const retry = new Set(outcome.retry);
    const accepted = new Set(outcome.sent);
    for (const { rows, tokens: own, at } of ready) {
      const counts = entry(settle.outcomes, rows.programId, () => ({
        at,
        sent: new Set<string>(),
        failed: new Set<string>(),
      }));
      for (const token of own) (accepted.has(token) ? counts.sent : counts.failed).add(token);
    }
    const rejected = new Map(outcome.rejected.map((r) => [r.token, r.reason]));
    // Gone tokens leave every registration of theirs in the programs that pushed them.
    const invalid = new Set(outcome.invalid);
    const goneByProgram = new Map<string, Set<string>>();
    for (const { rows, tokens: own } of ready) {
      for (const token of own) {
        if (invalid.has(token)) entry(goneByProgram, rows.programId, () => new Set<string>()).add(token);
      }
    }
    for (const [programId, gone] of goneByProgram) {
      try {
        report.unregistered += await this.deps.store
          .scoped(programId)
          .passRegistrations.removePushTokens([...gone]);
      } catch (err) {
        // Kept for now; APNs answers the same at the next push and it is removed then.
        logger.warn({ err, programId, tokens: gone.size }, 'could not remove gone push tokens');
      }
    }
    for (const { rows, tokens: own } of ready) {
      const { programId, customerId } = rows;
      for (const token of own) {
        const reason = rejected.get(token);
        if (reason !== undefined) logger.warn({ programId, customerId, reason }, 'APNs refused a pass push');
      }
      const again = own.filter((t) => retry.has(t)).length;
      if (again > 0) {
        this.fail(rows, `APNs asked to retry ${again} of ${own.length} tokens`, settle, run);
        continue;
      }
      report.pushed += 1;
      entry(settle.pushed, programId, () => [] as string[]).push(customerId);
      settle.done.push(...rows.items.map((i) => i.id));
    }
  }

  /** A pass that failed: its rows again after the policy's backoff, or abandoned when it gives up. */
  private fail(rows: PassRows, error: string, settle: Settlement, run: Run): void {
    const ids = rows.items.map((i) => i.id);
    const attempts = Math.max(...rows.items.map((i) => i.attempts)) + 1;
    run.report.deferred += 1;
    const decision = run.decide(error, attempts);
    if (!decision.retry) {
      this.deps.logger.error({ ids, error, attempts }, 'pass push abandoned');
      settle.done.push(...ids);
      return;
    }
    settle.failed.push({ ids, error, attempts });
    for (const id of ids) settle.retry.push({ id, delayMs: decision.delayMs, error });
  }

  /**
   * The batch's outcomes: push records first (coalescing), then postponed rows, then done rows.
   * Should a write fail, the rows not yet settled come back when their lease ends (at least once).
   */
  private async write(settle: Settlement): Promise<void> {
    const { store, logger } = this.deps;
    if (settle.failed.length > 0) {
      const first = settle.failed[0] as Settlement['failed'][number];
      logger.warn(
        { passes: settle.failed.length, ids: first.ids, error: first.error, attempts: first.attempts },
        'pass pushes will be retried',
      );
    }
    try {
      for (const [programId, customerIds] of settle.pushed)
        await store.outbox.recordPushes(programId, customerIds);
      await store.outbox.retryEach(settle.retry);
      if (settle.done.length > 0) await store.outbox.done(settle.done);
    } catch (err) {
      logger.error({ err }, 'pass push outcomes not recorded; rows come back after their lease');
    }
    // Statistics last and apart: failing to count must never make a delivered push come back.
    try {
      for (const [programId, { at, sent, failed }] of settle.outcomes)
        await store.outbox.recordPushCounts(programId, at, { sent: sent.size, failed: failed.size });
    } catch (err) {
      logger.warn({ err }, 'pass push counts not recorded');
    }
  }
}
