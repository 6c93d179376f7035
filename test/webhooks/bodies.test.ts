/** Body shapes of both formats for every event type (pure). */
import { deliveryBody, signatureHeader } from '../../src/features/webhooks/webhook-bodies.js';
import type { ClaimedDelivery } from '../../src/store/webhook-port.js';

const event = (
  type: ClaimedDelivery['event']['type'],
  data: Record<string, unknown>,
): ClaimedDelivery['event'] => ({
  id: 'evt_1',
  type,
  data: { customer: { id: 'c1', email: null }, balances: { current: 1200 }, ...data },
  occurredAt: new Date('2025-06-24T00:00:00Z'),
});

it('shapes a downgrade warning for Klaviyo with what keeps the tier as segmentable properties', () => {
  const e = event('tier.downgrade_warning', {
    tier: { id: 'g', title: 'Gold' },
    downgradeTo: { id: 'b', title: 'Bronze' },
    boundaryAt: '2025-07-01T00:00:00.000Z',
    keep: { headline: '750 points this cycle to keep Gold' },
  });
  const body = JSON.parse(deliveryBody({ event: e, format: 'klaviyo' }));
  expect(body.data.attributes).toMatchObject({
    metric: { data: { type: 'metric', attributes: { name: 'Tier Downgrade Warning' } } },
    profile: { data: { type: 'profile', attributes: { external_id: 'c1' } } },
    properties: {
      event_type: 'tier.downgrade_warning',
      tier: 'Gold',
      downgrade_to: 'Bronze',
      boundary_at: '2025-07-01T00:00:00.000Z',
      keep_headline: '750 points this cycle to keep Gold',
      points: 1200,
    },
    unique_id: 'evt_1',
    time: '2025-06-24T00:00:00.000Z',
  });
  // No email known: the profile is identified by the external id alone.
  expect(body.data.attributes.profile.data.attributes).toEqual({ external_id: 'c1' });
});

it.each([
  ['tier.upgraded', 'Tier Upgraded'],
  ['tier.downgraded', 'Tier Downgraded'],
  ['customer.tags_changed', 'Tags Changed'],
] as const)('names %s "%s" in Klaviyo and keeps the standard body stable', (type, metric) => {
  const e = event(type, { added: ['vip'], removed: [] });
  expect(
    JSON.parse(deliveryBody({ event: e, format: 'klaviyo' })).data.attributes.metric.data.attributes.name,
  ).toBe(metric);
  const standard = deliveryBody({ event: e, format: 'standard' });
  expect(JSON.parse(standard)).toEqual({
    id: 'evt_1',
    type,
    createdAt: '2025-06-24T00:00:00.000Z',
    data: e.data,
  });
  expect(deliveryBody({ event: e, format: 'standard' })).toBe(standard);
  expect(signatureHeader('whsec_x', standard, 1700000000)).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
});
