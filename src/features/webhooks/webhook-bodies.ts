/**
 * What a receiver gets (API.md "Webhooks"): the body of each format and its signature header
 * `Tierpass-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. During a
 * secret rotation's overlap the header carries one `v1=` per secret, the new one first
 * (`t=…,v1=<new>,v1=<previous>`): a receiver accepts the delivery when any `v1` matches.
 */
import { createHmac } from 'node:crypto';
import type { DeliveredEventType } from '../../domain/webhook-event-types.js';
import type { ClaimedDelivery } from '../../store/webhook-port.js';

export const SIGNATURE_HEADER = 'Tierpass-Signature';

/** The signature header's value for `body` signed at `t` (unix seconds) with each secret, in order. */
export function signatureHeader(secrets: string | readonly string[], body: string, t: number): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  const v1 = list.map((secret) => `,v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`);
  return `t=${t}${v1.join('')}`;
}

/** Klaviyo metric names (the event's name in Klaviyo flows). */
export const KLAVIYO_METRIC: Record<DeliveredEventType, string> = {
  'tier.upgraded': 'Tier Upgraded',
  'tier.downgraded': 'Tier Downgraded',
  'customer.tags_changed': 'Tags Changed',
  'tier.downgrade_warning': 'Tier Downgrade Warning',
  ping: 'Tierpass Ping',
};

/**
 * The Klaviyo profile a ping names (Klaviyo's Create Event needs one): always the same, so
 * however many pings reach Klaviyo they make one test profile (docs/decisions/0032).
 */
export const PING_PROFILE_ID = 'tierpass-ping';

type Event = ClaimedDelivery['event'];

/** `{ id, type, createdAt, data }`. */
function standardBody(e: Event): unknown {
  return { id: e.id, type: e.type, createdAt: e.occurredAt.toISOString(), data: e.data };
}

const title = (v: unknown): string | null =>
  v && typeof v === 'object' && 'title' in v && typeof v.title === 'string' ? v.title : null;

/**
 * Shaped like a request to Klaviyo's Create Event API (`POST /api/events`): metric by name,
 * profile by external id and email, `unique_id` = the event id (Klaviyo drops duplicates),
 * `time` = when the change happened. Top-level scalar properties are segmentable in Klaviyo
 * (a downgrade warning's tier, target tier, boundary and "what keeps the tier" headline too);
 * the full event data rides along under `$extra`.
 */
export function klaviyoBody(e: Event): unknown {
  const customer = (e.data.customer ?? {}) as { id?: string; email?: string | null };
  const balances = (e.data.balances ?? {}) as Record<string, number>;
  const profile: Record<string, string> = {
    external_id: e.type === 'ping' ? PING_PROFILE_ID : (customer.id ?? ''),
  };
  if (customer.email) profile.email = customer.email;
  const properties: Record<string, unknown> = { event_type: e.type };
  if ('from' in e.data) properties.from_tier = title(e.data.from);
  if ('to' in e.data) properties.to_tier = title(e.data.to);
  if (typeof e.data.reason === 'string') properties.reason = e.data.reason;
  if (Array.isArray(e.data.added)) properties.tags_added = e.data.added;
  if (Array.isArray(e.data.removed)) properties.tags_removed = e.data.removed;
  if ('tier' in e.data) properties.tier = title(e.data.tier);
  if ('downgradeTo' in e.data) properties.downgrade_to = title(e.data.downgradeTo);
  if (typeof e.data.boundaryAt === 'string') properties.boundary_at = e.data.boundaryAt;
  const keep = e.data.keep as { headline?: unknown } | undefined;
  if (typeof keep?.headline === 'string') properties.keep_headline = keep.headline;
  if (typeof balances.current === 'number') properties.points = balances.current;
  if (typeof e.data.message === 'string') properties.message = e.data.message;
  properties.$extra = e.data;
  return {
    data: {
      type: 'event',
      attributes: {
        properties,
        time: e.occurredAt.toISOString(),
        unique_id: e.id,
        metric: { data: { type: 'metric', attributes: { name: KLAVIYO_METRIC[e.type] } } },
        profile: { data: { type: 'profile', attributes: profile } },
      },
    },
  };
}

/** The raw body sent for `delivery` (the same bytes on every attempt). */
export function deliveryBody(d: Pick<ClaimedDelivery, 'event' | 'format'>): string {
  return JSON.stringify(d.format === 'klaviyo' ? klaviyoBody(d.event) : standardBody(d.event));
}
