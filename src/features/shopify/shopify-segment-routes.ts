/** HTTP routes of Shopify segments (docs/shopify.md "Segments", docs/decisions/0048). */
import { z } from 'zod';
import type { ApiRegistry } from '../../http/route.js';
import type { ShopifySegments } from './shopify-segments.js';

const syncSchema = z
  .object({
    state: z.enum(['running', 'done', 'failed']),
    trigger: z.enum(['manual', 'schedule']),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    progress: z.object({
      percent: z
        .number()
        .int()
        .describe('0–100: reading the segments is the first half, re-evaluating the second'),
      segmentsTotal: z.number().int(),
      segmentsDone: z.number().int(),
      membersRead: z.number().int(),
      customersChanged: z
        .number()
        .int()
        .describe('Customers whose membership of a tracked segment changed since the last sync'),
      customersEvaluated: z.number().int(),
    }),
    warnings: z.array(z.string()),
    error: z.string().nullable().describe('The error code a failed sync stopped on'),
  })
  .nullable();

export const segmentStatusView = z.object({
  segments: z.array(
    z.object({
      label: z.string().describe('The value of the `segment` qualification: a segment name or id'),
      tiers: z.array(z.object({ id: z.string(), title: z.string() })),
      found: z.boolean().nullable().describe('Whether the shop has the segment; null before the first sync'),
      segmentId: z.string().nullable(),
      name: z.string().nullable(),
      memberCount: z.number().int().nullable(),
      syncedAt: z.string().nullable(),
    }),
  ),
  warnings: z.array(z.string()).describe('Segments the tiers name that the shop does not have'),
  everyMinutes: z.number().int().describe('How often the schedule syncs a live program'),
  sync: syncSchema,
});

export function registerShopifySegmentRoutes(api: ApiRegistry, segments: ShopifySegments): void {
  api.add({
    method: 'get',
    path: '/v1/integrations/shopify/segments',
    summary:
      'The customer segments the tiers use: found in the shop or not, member count, last sync; and the sync’s progress',
    tag: 'Integrations',
    auth: 'apiKey',
    responses: { 200: { description: 'The segments and the last sync', schema: segmentStatusView } },
    async handler({ ctx }) {
      return { status: 200, body: await segments.status(ctx) };
    },
  });
  api.add({
    method: 'post',
    path: '/v1/integrations/shopify/segments/sync',
    summary:
      'Read the members of the segments the tiers use from the shop now and re-evaluate the customers whose membership changed; runs in the background',
    tag: 'Integrations',
    auth: 'apiKey',
    expensive: 'shopify-segments-sync',
    responses: {
      202: {
        description: 'Started; follow it at GET /v1/integrations/shopify/segments',
        schema: segmentStatusView,
      },
    },
    async handler({ ctx }) {
      return { status: 202, body: await segments.start(ctx) };
    },
  });
}
