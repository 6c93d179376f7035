/** Webhook subscriptions and their delivery log (SPEC 5, API.md "Webhooks"). */
import { randomBytes } from 'node:crypto';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../domain/webhook-event-types.js';
import { badRequest, conflict, notFound } from '../../errors.js';
import {
  type AddressPolicy,
  AddressRefused,
  checkHost,
  urlHost,
} from '../../integrations/webhooks/address-policy.js';
import type { ProgramContext } from '../../program-context.js';
import type { WebhookDeliveryRecord, WebhookSubscriptionRecord } from '../../store/webhook-port.js';
import type { RotateSecretInput, SubscribeInput } from './webhook-schemas.js';
import type { WebhookSecrets } from './webhook-secrets.js';
import type { WebhooksStore } from './webhooks-store.js';

export interface WebhookServiceDeps {
  /** Each program's subscriptions and deliveries. */
  store: WebhooksStore;
  /** Which addresses subscriptions may point at. */
  policy: AddressPolicy;
  /** Seals signing secrets before they are stored (docs/decisions/0041). */
  secrets: WebhookSecrets;
  /** Deliver at once after a redelivery is queued. */
  kick?: () => void;
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

const isEventType = (e: string): e is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly string[]).includes(e);

/** The URL, checked: http(s), credentials-free, and reaching only addresses the policy allows. */
async function checkedUrl(raw: string, policy: AddressPolicy): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('invalid_webhook_url', 'url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badRequest(
      'invalid_webhook_url',
      `url must use http or https, not ${url.protocol.replace(':', '')}`,
    );
  }
  if (url.username || url.password) {
    throw badRequest('invalid_webhook_url', 'url must not carry credentials');
  }
  try {
    await checkHost(urlHost(url), policy);
  } catch (err) {
    if (!(err instanceof AddressRefused)) throw err;
    if (err.reason === 'unresolvable') throw badRequest('webhook_url_unresolvable', err.message);
    throw badRequest(
      'webhook_url_not_allowed',
      `${err.message}: private, loopback and link-local addresses are refused`,
    );
  }
  return url.toString();
}

export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  /** The caller's program's subscriptions. */
  private webhooks(ctx: ProgramContext) {
    return this.deps.store.scoped(ctx.program.id).webhooks;
  }

  /** Subscribe; the secret is returned here and never again. */
  async subscribe(ctx: ProgramContext, input: SubscribeInput) {
    const unknown = input.events.filter((e) => !isEventType(e));
    if (unknown.length > 0) {
      throw badRequest(
        'unknown_webhook_event',
        `Unknown event ${unknown.join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`,
        unknown.map((e) => ({ path: 'events', code: 'unknown_webhook_event', message: e })),
      );
    }
    const url = await checkedUrl(input.url, this.deps.policy);
    const secret = newSecret();
    const id = `wh_${randomBytes(12).toString('hex')}`;
    const record = await this.webhooks(ctx).create({
      id,
      url,
      events: [...new Set(input.events.filter(isEventType))],
      format: input.format,
      secret: this.deps.secrets.seal(ctx.program.id, id, secret),
      now: ctx.now,
    });
    return { record, secret };
  }

  /**
   * A new signing secret, returned here and never again; deliveries carry a signature with the
   * previous one too for `overlapHours` of program time (0: only the new one at once).
   */
  async rotateSecret(ctx: ProgramContext, id: string, input: RotateSecretInput) {
    const secret = newSecret();
    const record = await this.webhooks(ctx).rotateSecret(id, {
      secret: this.deps.secrets.seal(ctx.program.id, id, secret),
      previousUntil: new Date(ctx.now.getTime() + input.overlapHours * 3_600_000),
      now: ctx.now,
    });
    if (!record) throw notFound('webhook_not_found', `No webhook ${id}`);
    return { record, secret };
  }

  list(ctx: ProgramContext): Promise<WebhookSubscriptionRecord[]> {
    return this.webhooks(ctx).list();
  }

  async get(ctx: ProgramContext, id: string): Promise<WebhookSubscriptionRecord> {
    const found = await this.webhooks(ctx).get(id);
    if (!found) throw notFound('webhook_not_found', `No webhook ${id}`);
    return found;
  }

  /** Unsubscribe; pending deliveries stop. */
  async remove(ctx: ProgramContext, id: string): Promise<void> {
    if (!(await this.webhooks(ctx).remove(id, ctx.now)))
      throw notFound('webhook_not_found', `No webhook ${id}`);
  }

  /** Turn a disabled subscription back on; its waiting deliveries resume. */
  async enable(ctx: ProgramContext, id: string): Promise<WebhookSubscriptionRecord> {
    const record = await this.webhooks(ctx).enable(id, ctx.now);
    if (!record) throw notFound('webhook_not_found', `No webhook ${id}`);
    this.deps.kick?.();
    return record;
  }

  async deliveries(ctx: ProgramContext, id: string, page: { limit: number; cursor?: string }) {
    await this.get(ctx, id);
    return this.webhooks(ctx).deliveries(id, page);
  }

  /** Send a delivery's event again now, as a new delivery with the same event id. */
  async redeliver(ctx: ProgramContext, id: string, deliveryId: string): Promise<WebhookDeliveryRecord> {
    await this.enabled(ctx, id);
    const created = await this.webhooks(ctx).redeliver(id, deliveryId, ctx.now);
    if (!created) throw notFound('delivery_not_found', `No delivery ${deliveryId} of webhook ${id}`);
    this.deps.kick?.();
    return created;
  }

  /**
   * Queue a signed `ping` to the subscription now, whatever its event filter, through the same
   * delivery path (docs/decisions/0032): the delivery, still pending, to follow in the log.
   */
  async ping(ctx: ProgramContext, id: string): Promise<WebhookDeliveryRecord> {
    await this.enabled(ctx, id);
    const data = {
      programId: ctx.program.id,
      subscriptionId: id,
      message: 'A test event sent from Tierpass: this endpoint is reachable and can check the signature.',
    };
    const created = await this.webhooks(ctx).ping(id, data, ctx.now);
    // Disabled or deleted since the check above.
    if (!created) throw conflict('webhook_disabled', `Webhook ${id} is no longer enabled`);
    this.deps.kick?.();
    return created;
  }

  /** The subscription, refused with 409 while disabled: nothing sent to it could be claimed. */
  private async enabled(ctx: ProgramContext, id: string): Promise<WebhookSubscriptionRecord> {
    const sub = await this.get(ctx, id);
    if (sub.state !== 'enabled') {
      throw conflict(
        'webhook_disabled',
        `Webhook ${id} is disabled (${sub.disabledReason}); enable it first`,
      );
    }
    return sub;
  }
}

/** A subscription as the API shows it (never its secret). */
export function subscriptionView(s: WebhookSubscriptionRecord) {
  return {
    id: s.id,
    url: s.url,
    events: s.events,
    format: s.format,
    state: s.state === 'deleted' ? ('disabled' as const) : s.state,
    disabledReason: s.disabledReason,
    disabledAt: s.disabledAt?.toISOString() ?? null,
    failingSince: s.failingSince?.toISOString() ?? null,
    previousSecretExpiresAt: s.previousSecretUntil?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** A delivery as the API shows it. */
export function deliveryView(d: WebhookDeliveryRecord) {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    customerId: d.customerId,
    state: d.state,
    nextAttemptAt: d.state === 'pending' ? d.dueAt.toISOString() : null,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    redeliveryOf: d.redeliveryOf,
    doneAt: d.doneAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    attempts: d.attempts.map((a) => ({
      at: a.at.toISOString(),
      status: a.status,
      error: a.error,
      durationMs: a.durationMs,
    })),
  };
}
