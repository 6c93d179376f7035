/**
 * Shopify segments (issue 14 item 4, docs/decisions/0048): the segments a program's tiers name
 * in `segment` qualifications are resolved in the connected shop (by name, or by id), their
 * members read (`customerSegmentMembers`, paginated) and stored; the customers whose membership
 * changed since the last read, and only those, get their segment list updated and are
 * re-evaluated through the customer update's path (CustomerService.syncSegments, decision 0038).
 * Runs on demand (the API, the console) and on a schedule (`syncDue`, the Agenda job).
 */
import type { Clock } from '../../clock.js';
import { AppError, conflict, notFound } from '../../errors.js';
import type { SecretSealer } from '../../integrations/secrets/secret-box.js';
import type { ShopifyAdmin } from '../../integrations/shopify/admin-client.js';
import type { ProgramContext } from '../../program-context.js';
import type { ProgramRecord, Store, TierRecord } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';
import type { ShopifyRepository } from '../../store/shopify-port.js';
import type { ShopifySegmentRepository, ShopifySegmentSyncRecord } from '../../store/shopify-segment-port.js';
import { SHOPIFY_TOKEN_CONTEXT } from './shopify-credentials.js';

export interface ShopifySegmentScope {
  shopify: Pick<ShopifyRepository, 'get'>;
  shopifySegments: ShopifySegmentRepository;
  tiers: { list(): Promise<TierRecord[]> };
  program: { get(): Promise<ProgramRecord> };
}

export type ShopifySegmentStore = ScopedStore<ShopifySegmentScope> & Pick<Store, 'listPrograms'>;

/** What the sync asks of customers (features/customers CustomerService.syncSegments). */
export interface SegmentCustomers {
  syncSegments(
    ctx: ProgramContext,
    id: string,
    tracked: readonly string[],
    memberOf: readonly string[],
  ): Promise<{ evaluated: boolean }>;
}

export interface ShopifySegmentsDeps {
  store: ShopifySegmentStore;
  clock: Clock;
  secrets?: SecretSealer;
  admin(shop: string, accessToken: string): ShopifyAdmin;
  customers: SegmentCustomers;
  programNow(program: ProgramRecord): Date;
  /** How often the schedule syncs a live program (default one hour). */
  everyMs?: number;
  /** First wait after a throttled call; doubled per retry (default 1 s). */
  throttleWaitMs?: number;
  /** Page size of the Admin queries (default 250, Shopify's maximum). */
  pageSize?: number;
}

/** Where the connector seals the access token (shopify-service.ts, decision 0042). */
/** A throttled call is retried this many times before the sync fails `shopify_throttled`. */
const THROTTLE_RETRIES = 6;
/** A sync still `running` after this long belongs to a process that died; another may start. */
const STALE_SYNC_MS = 30 * 60 * 1000;
const PROGRESS_EVERY = 50;

/** The distinct `segment` values the tiers' qualifications name, in tier order. */
export function segmentLabels(tiers: readonly TierRecord[]): string[] {
  const labels: string[] = [];
  for (const t of tiers) {
    for (const q of t.qualifications) {
      if (q.type === 'segment' && !labels.includes(q.segment)) labels.push(q.segment);
    }
  }
  return labels;
}

/** The customer id a member id ends in (`gid://shopify/CustomerSegmentMember/123` → `123`). */
export function memberCustomerId(memberId: string): string {
  return memberId.slice(memberId.lastIndexOf('/') + 1);
}

/** A label names a segment by its exact name, its id, or the number its id ends in. */
function matches(label: string, s: { id: string; name: string }): boolean {
  return s.name === label || s.id === label || (/^\d+$/.test(label) && memberCustomerId(s.id) === label);
}

function percent(s: ShopifySegmentSyncRecord): number {
  if (s.state === 'done') return 100;
  const reading = s.segmentsTotal === 0 ? 0 : s.segmentsDone / s.segmentsTotal;
  const evaluating =
    s.segmentsTotal > 0 && s.segmentsDone === s.segmentsTotal
      ? s.customersChanged === 0
        ? 0
        : s.customersEvaluated / s.customersChanged
      : 0;
  return Math.min(99, Math.floor(50 * reading + 50 * evaluating));
}

export function syncView(s: ShopifySegmentSyncRecord | null) {
  if (!s) return null;
  return {
    state: s.state,
    trigger: s.trigger,
    startedAt: s.startedAt.toISOString(),
    finishedAt: s.finishedAt?.toISOString() ?? null,
    progress: {
      percent: percent(s),
      segmentsTotal: s.segmentsTotal,
      segmentsDone: s.segmentsDone,
      membersRead: s.membersRead,
      customersChanged: s.customersChanged,
      customersEvaluated: s.customersEvaluated,
    },
    warnings: s.warnings,
    error: s.error,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ShopifySegments {
  /** Syncs started by the API and still running in this process. */
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: ShopifySegmentsDeps) {}

  private get everyMs(): number {
    return this.deps.everyMs ?? 60 * 60 * 1000;
  }

  /** The segments the tiers use, what the last sync found of each, and the sync's progress. */
  async status(ctx: ProgramContext) {
    const scope = this.deps.store.scoped(ctx.program.id);
    const [connection, tiers, records, sync] = await Promise.all([
      scope.shopify.get(),
      scope.tiers.list(),
      scope.shopifySegments.list(),
      scope.shopifySegments.sync(),
    ]);
    if (!connection) throw notFound('shopify_not_connected', 'No Shopify store is connected');
    const byLabel = new Map(records.map((r) => [r.label, r]));
    const segments = segmentLabels(tiers).map((label) => {
      const r = byLabel.get(label);
      return {
        label,
        tiers: tiers
          .filter((t) => t.qualifications.some((q) => q.type === 'segment' && q.segment === label))
          .map((t) => ({ id: t.id, title: t.title })),
        found: r ? r.segmentId !== null : null,
        segmentId: r?.segmentId ?? null,
        name: r?.name ?? null,
        memberCount: r?.memberCount ?? null,
        syncedAt: r?.syncedAt.toISOString() ?? null,
      };
    });
    const warnings = segments
      .filter((s) => s.found === false)
      .map((s) => `The shop has no customer segment "${s.label}"`);
    return { segments, warnings, everyMinutes: Math.round(this.everyMs / 60_000), sync: syncView(sync) };
  }

  /** Start a sync in the background (the API): 409 while one runs; progress in `status`. */
  async start(ctx: ProgramContext) {
    const scope = this.deps.store.scoped(ctx.program.id);
    if (!(await scope.shopify.get()))
      throw notFound('shopify_not_connected', 'No Shopify store is connected');
    const now = this.deps.clock.now();
    const started = await scope.shopifySegments.startSync(
      { trigger: 'manual', startedAt: now },
      new Date(now.getTime() - STALE_SYNC_MS),
    );
    if (!started) throw conflict('segment_sync_running', 'A segment sync is already running');
    const run: Promise<void> = this.run(ctx).finally(() => this.running.delete(run));
    this.running.add(run);
    return this.status(ctx);
  }

  /** Wait for the syncs this process started (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** The schedule: sync each live connected program whose last sync is older than `everyMs`. */
  async syncDue(): Promise<number> {
    let synced = 0;
    for (const program of await this.deps.store.listPrograms('live')) {
      const scope = this.deps.store.scoped(program.id);
      const connection = await scope.shopify.get();
      if (connection?.state !== 'connected') continue;
      if (segmentLabels(await scope.tiers.list()).length === 0) continue;
      const last = await scope.shopifySegments.sync();
      const now = this.deps.clock.now();
      if (last && last.startedAt.getTime() + this.everyMs > now.getTime()) continue;
      const started = await scope.shopifySegments.startSync(
        { trigger: 'schedule', startedAt: now },
        new Date(now.getTime() - STALE_SYNC_MS),
      );
      if (!started) continue;
      await this.run({ program, now: this.deps.programNow(program) });
      synced++;
    }
    return synced;
  }

  /** The started sync's work; its end (done or failed) is recorded, never thrown. */
  private async run(ctx: ProgramContext): Promise<void> {
    const segments = this.deps.store.scoped(ctx.program.id).shopifySegments;
    try {
      await this.read(ctx, segments);
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'internal_error';
      await segments.updateSync({ state: 'failed', error: code, finishedAt: this.deps.clock.now() });
    }
  }

  /** A call to the shop, retried with doubling waits while Shopify throttles it. */
  private async patient<T>(call: () => Promise<T>): Promise<T> {
    let wait = this.deps.throttleWaitMs ?? 1000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'shopify_throttled' || attempt >= THROTTLE_RETRIES) {
          throw err;
        }
        await sleep(wait);
        wait *= 2;
      }
    }
  }

  private async read(ctx: ProgramContext, segments: ShopifySegmentRepository): Promise<void> {
    const scope = this.deps.store.scoped(ctx.program.id);
    const connection = await scope.shopify.get();
    if (!connection) throw notFound('shopify_not_connected', 'No Shopify store is connected');
    if (!this.deps.secrets) throw new AppError(503, 'secrets_not_configured', 'No secret keyring');
    const token = this.deps.secrets.open(connection.accessTokenSealed, SHOPIFY_TOKEN_CONTEXT(ctx.program.id));
    const admin = this.deps.admin(connection.shopDomain, token);
    const pageSize = this.deps.pageSize ?? 250;
    const labels = segmentLabels(await scope.tiers.list());
    await segments.updateSync({ segmentsTotal: labels.length });

    // The shop's segments, every page; each label resolved by name or id.
    const shopSegments: { id: string; name: string }[] = [];
    for (let after: string | null = null; ; ) {
      const page = await this.patient(() => admin.segments(pageSize, after));
      shopSegments.push(...page.nodes);
      if (!page.next) break;
      after = page.next;
    }
    const found: { label: string; id: string; name: string }[] = [];
    const warnings: string[] = [];
    for (const label of labels) {
      const s = shopSegments.find((x) => x.name === label) ?? shopSegments.find((x) => matches(label, x));
      if (s) found.push({ label, id: s.id, name: s.name });
      else warnings.push(`The shop has no customer segment "${label}"`);
    }
    await segments.updateSync({ warnings, segmentsDone: labels.length - found.length });

    // Every member of each found segment.
    const members = new Map<string, Set<string>>();
    let membersRead = 0;
    for (const [i, s] of found.entries()) {
      const ids = new Set<string>();
      for (let after: string | null = null; ; ) {
        const page = await this.patient(() => admin.segmentMembers(s.id, pageSize, after));
        for (const id of page.nodes) ids.add(memberCustomerId(id));
        membersRead += page.nodes.length;
        await segments.updateSync({ membersRead });
        if (!page.next) break;
        after = page.next;
      }
      members.set(s.label, ids);
      await segments.updateSync({ segmentsDone: labels.length - found.length + i + 1 });
    }

    // The customers whose membership of a found segment changed since the last read.
    const changed = new Set<string>();
    for (const s of found) {
      const now = members.get(s.label) ?? new Set<string>();
      const before = new Set(await segments.members(s.label));
      for (const id of now) if (!before.has(id)) changed.add(id);
      for (const id of before) if (!now.has(id)) changed.add(id);
    }
    await segments.updateSync({ customersChanged: changed.size });
    const tracked = found.map((s) => s.label);
    let evaluated = 0;
    for (const id of [...changed].sort()) {
      const memberOf = tracked.filter((label) => members.get(label)?.has(id));
      await this.deps.customers.syncSegments(ctx, id, tracked, memberOf);
      evaluated++;
      if (evaluated % PROGRESS_EVERY === 0) await segments.updateSync({ customersEvaluated: evaluated });
    }

    // Only now the new members: a sync stopped above re-evaluates the same customers next time.
    const syncedAt = this.deps.clock.now();
    for (const s of found) {
      const ids = members.get(s.label) ?? new Set<string>();
      await segments.setMembers(s.label, [...ids]);
      await segments.save({ label: s.label, segmentId: s.id, name: s.name, memberCount: ids.size, syncedAt });
    }
    for (const label of labels) {
      if (!found.some((s) => s.label === label)) {
        await segments.save({ label, segmentId: null, name: null, memberCount: null, syncedAt });
      }
    }
    await segments.retain(labels);
    await segments.updateSync({ state: 'done', customersEvaluated: evaluated, finishedAt: syncedAt });
  }
}
