/**
 * The outbox worker's handler of `klaviyo_profile_changed` rows (docs/decisions/0044): for each
 * customer, the rows' tier events go to Create Event (`unique_id` = the event id, so a repeat is
 * dropped by Klaviyo), then the customer's current profile to Create or Update Profile. Rows are
 * claimed in order per customer; a customer whose send fails keeps its remaining rows, in order.
 * 429 waits Klaviyo's Retry-After (the whole batch pauses: the limit is the account's); 401/403
 * marks the connection `needs_attention` and holds its rows until the key is replaced; other
 * failures back off; a program without a connection drops its rows (disconnected). A row that
 * carries an erasure asks Klaviyo's Data Privacy API to delete the customer's profile; an erased
 * customer's events and profile are no longer sent (docs/decisions/0052).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import { type KlaviyoApi, KlaviyoApiError } from '../../integrations/klaviyo/klaviyo-client.js';
import { SecretOpenError, type SecretSealer } from '../../integrations/secrets/secret-box.js';
import type { ProgramContext } from '../../program-context.js';
import type { KlaviyoOutboxItem } from '../../store/klaviyo-port.js';
import type { CustomerRecord } from '../../store/records.js';
import type { OutboxHandler, OutboxRun } from '../outbox/outbox-handler.js';
import type { RetryPolicy } from '../outbox/retry-policy.js';
import { programNow } from '../programs/program-context.js';
import { klaviyoBody } from '../webhooks/webhook-bodies.js';
import { deletionBody, openErasure } from './klaviyo-erasure.js';
import { type ProfileSource, profileImportBody } from './klaviyo-profile.js';
import { KEY_CONTEXT } from './klaviyo-service.js';
import type { KlaviyoOutbox, KlaviyoStore } from './klaviyo-store.js';

/** What the handler asks of customers (features/customers CustomerService, as the API shows them). */
export interface KlaviyoCustomers {
  get(ctx: ProgramContext, id: string): Promise<CustomerRecord>;
  view(ctx: ProgramContext, c: CustomerRecord): Promise<ProfileSource>;
}

export interface KlaviyoHandlerDeps {
  store: KlaviyoStore & KlaviyoOutbox;
  customers: KlaviyoCustomers;
  secrets?: SecretSealer;
  api(apiKey: string): KlaviyoApi;
  clock: Clock;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** First retry delay, doubled per attempt up to an hour (default 5 s; tests shorten it). */
  retryBaseMs?: number;
  /** How long rows wait while the key needs attention before looking again (default 1 min). */
  attentionDelayMs?: number;
  /** Customers sent at once (default 4). */
  concurrency?: number;
}

const BATCH = 100;
const LEASE_MS = 2 * 60_000;
/** Rows of a connection whose key needs attention look again this often (a replaced key resumes within it). */
const ATTENTION_DELAY_MS = 60_000;

/** What one dispatch did. */
export interface KlaviyoDispatchReport {
  events: number;
  profiles: number;
  /** Profile deletions requested for erased customers (0052). */
  erasures: number;
  /** Rows postponed (throttled, failed, or waiting for a new key). */
  retried: number;
  /** Rows given up (Klaviyo refused the body) or dropped (disconnected). */
  dropped: number;
}

type Run = OutboxRun<KlaviyoDispatchReport, unknown>;

export class KlaviyoHandler implements OutboxHandler<KlaviyoOutboxItem, KlaviyoDispatchReport> {
  readonly label = 'Klaviyo';
  readonly batchSize = BATCH;
  readonly retry: RetryPolicy;

  constructor(private readonly deps: KlaviyoHandlerDeps) {
    // No attempt limit: a row waits out Klaviyo's outages (never lost); only a refused body gives up.
    this.retry = { baseMs: deps.retryBaseMs ?? 5000, maxMs: 3_600_000 };
  }

  /** Klaviyo's 4xx answers other than 401/403/429 (a body it refuses) are permanent. */
  classify(err: unknown): 'retry' | 'permanent' {
    return err instanceof KlaviyoApiError && !err.retryable ? 'permanent' : 'retry';
  }

  newReport(): KlaviyoDispatchReport {
    return { events: 0, profiles: 0, erasures: 0, retried: 0, dropped: 0 };
  }

  claim(limit: number, scope: string | undefined): Promise<KlaviyoOutboxItem[]> {
    return this.deps.store.klaviyoQueue.claim(limit, LEASE_MS, scope);
  }

  onQueued(listener: () => void): void {
    this.deps.store.outbox.onQueued(listener);
  }

  async handle(items: KlaviyoOutboxItem[], run: Run): Promise<void> {
    // Per program, per customer, rows in id order (the claim's order).
    const groups = new Map<string, KlaviyoOutboxItem[]>();
    for (const item of items) {
      const key = `${item.programId}\0${item.customerId}`;
      groups.set(key, [...(groups.get(key) ?? []), item]);
    }
    const programs = new Map<string, Promise<Target | null>>();
    const queue = [...groups.values()];
    let pauseMs: number | null = null;
    // `concurrency` customers at once; each customer's rows stay in order within its group.
    const lane = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        const ids = group.map((i) => i.id);
        if (pauseMs !== null) {
          // Throttled: nobody else sends until Klaviyo's Retry-After has passed.
          run.report.retried += ids.length;
          await this.deps.store.outbox.retry(ids, pauseMs);
          continue;
        }
        const programId = (group[0] as KlaviyoOutboxItem).programId;
        if (!programs.has(programId)) programs.set(programId, this.target(programId));
        const target = await (programs.get(programId) as Promise<Target | null>);
        if (target === null) {
          run.report.dropped += ids.length;
          await this.deps.store.klaviyoQueue.done(ids);
          continue;
        }
        if (target.hold) {
          run.report.retried += ids.length;
          await this.deps.store.outbox.retry(ids, this.deps.attentionDelayMs ?? ATTENTION_DELAY_MS);
          continue;
        }
        const throttled = await this.deliver(group, target, run);
        if (throttled !== null) pauseMs = throttled;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.concurrency ?? 4, queue.length) }, lane));
  }

  /** The program's connection opened for sending; null when there is none; `hold` when it needs attention. */
  private async target(programId: string): Promise<Target | null> {
    const scope = this.deps.store.scoped(programId);
    const c = await scope.klaviyo.get();
    if (!c) return null;
    const program = await scope.program.get();
    const ctx = { program, now: programNow(program, this.deps.clock) };
    if (c.state === 'needs_attention' || !this.deps.secrets) return { hold: true, ctx, programId };
    try {
      const key = this.deps.secrets.open(c.apiKeySealed, KEY_CONTEXT(programId));
      return { hold: false, ctx, programId, api: this.deps.api(key) };
    } catch (err) {
      if (!(err instanceof SecretOpenError)) throw err;
      await scope.klaviyo.setState(
        'needs_attention',
        `The stored key cannot be opened (${err.message})`,
        this.deps.clock.now(),
      );
      return { hold: true, ctx, programId };
    }
  }

  /** One customer's rows; the Retry-After (ms) when Klaviyo throttled, else null. */
  private async deliver(group: KlaviyoOutboxItem[], target: Target, run: Run): Promise<number | null> {
    const { store, logger, clock } = this.deps;
    const { ctx, programId } = target;
    const api = target.api as KlaviyoApi;
    const scope = store.scoped(programId);
    const customerId = (group[0] as KlaviyoOutboxItem).customerId;
    let sent = 0;
    try {
      // An erased customer (privacy redact): nothing more is sent that would re-create their
      // profile — no event, no profile — only the deletion their erasure queued (0052).
      const erased = (await scope.klaviyo.redacted([customerId])).length > 0;
      const wanted = group.flatMap((i) => (i.eventId === null || erased ? [] : [i.eventId]));
      const events = new Map((await scope.klaviyo.events(wanted)).map((e) => [e.id, e]));
      for (const item of group) {
        if (item.erasureSealed !== null) {
          await this.erase(api, programId, item);
          run.report.erasures += 1;
        }
        const event = item.eventId === null ? undefined : events.get(item.eventId);
        if (event) {
          await api.createEvent(klaviyoBody(event));
          run.report.events += 1;
        }
        // The profile goes once, with the group's last row: it is the current state either way.
        if (item === group.at(-1) && !erased) await this.sendProfile(ctx, api, customerId, scope);
        sent += 1;
      }
      await store.klaviyoQueue.done(group.map((i) => i.id));
      return null;
    } catch (err) {
      if (sent > 0) await store.klaviyoQueue.done(group.slice(0, sent).map((i) => i.id));
      const rest = group.slice(sent).map((i) => i.id);
      const message = err instanceof Error ? err.message : String(err);
      run.report.retried += rest.length;
      if (err instanceof KlaviyoApiError && err.status === 429) {
        // At least a second: a row due at once would be claimed again in the same dispatch.
        const wait = Math.max(err.retryAfterMs ?? 60_000, 1000);
        logger.warn(
          { programId, customerId, retryAfterMs: wait },
          'Klaviyo throttled; waiting for Retry-After',
        );
        await store.outbox.retry(rest, wait);
        return wait;
      }
      if (err instanceof KlaviyoApiError && err.keyRefused) {
        logger.error(
          { programId, status: err.status, error: message },
          'Klaviyo refused the key; the connection needs attention',
        );
        await scope.klaviyo.setState('needs_attention', message, clock.now());
        target.hold = true;
        await store.outbox.retry(rest, this.deps.attentionDelayMs ?? ATTENTION_DELAY_MS);
        return null;
      }
      const attempts = Math.max(...group.slice(sent).map((i) => i.attempts)) + 1;
      const decision = run.decide(err, attempts);
      if (!decision.retry) {
        run.report.retried -= rest.length;
        run.report.dropped += rest.length;
        logger.error({ programId, customerId, error: message, attempts }, 'Klaviyo refused a request');
        await store.outbox.retry(rest, 0, message);
        await store.klaviyoQueue.done(rest);
        return null;
      }
      logger.warn({ programId, customerId, error: message, attempts }, 'Klaviyo send will be retried');
      await store.outbox.retry(rest, decision.delayMs, message);
      return null;
    }
  }

  /** Ask Klaviyo to delete an erased customer's profile: by the email it had, else by its id. */
  private async erase(api: KlaviyoApi, programId: string, item: KlaviyoOutboxItem): Promise<void> {
    const secrets = this.deps.secrets;
    if (!secrets) throw new Error('no secret keyring: the erasure cannot be opened');
    const who = openErasure(secrets, programId, item.customerId, item.erasureSealed as string);
    if (who.email !== null) {
      await api.requestProfileDeletion(deletionBody({ email: who.email }));
      return;
    }
    // No email: the profile was identified by external id only; Klaviyo deletes by its own id.
    const id = await api.profileIdByExternalId(item.customerId);
    if (id !== null) await api.requestProfileDeletion(deletionBody({ id }));
  }

  private async sendProfile(
    ctx: ProgramContext,
    api: KlaviyoApi,
    customerId: string,
    scope: ReturnType<KlaviyoStore['scoped']>,
  ): Promise<void> {
    let customer: CustomerRecord;
    try {
      customer = await this.deps.customers.get(ctx, customerId);
    } catch (err) {
      // Deleted or erased meanwhile: there is no profile to keep current.
      if (err instanceof AppError && err.status === 404) return;
      throw err;
    }
    const [view, titles] = await Promise.all([this.deps.customers.view(ctx, customer), scope.tiers.titles()]);
    await api.importProfile(profileImportBody(view, titles));
  }
}

interface Target {
  programId: string;
  ctx: ProgramContext;
  /** The key needs attention: rows wait. */
  hold: boolean;
  api?: KlaviyoApi;
}
