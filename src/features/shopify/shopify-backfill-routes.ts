/** HTTP routes of the Shopify history backfill (docs/shopify.md, "History backfill"). */
import type { ApiRegistry } from '../../http/route.js';
import { backfillBody, backfillView } from './shopify-backfill-schemas.js';
import type { ShopifyBackfillService } from './shopify-backfill-service.js';

export function registerShopifyBackfillRoutes(api: ApiRegistry, backfill: ShopifyBackfillService): void {
  api.add({
    method: 'post',
    path: '/v1/integrations/shopify/backfill',
    summary:
      "Import the connected shop's customers and orders since a date in the background, then resync every customer; one at a time per program",
    tag: 'Integrations',
    auth: 'apiKey',
    body: backfillBody,
    expensive: 'shopify-backfill',
    responses: {
      202: {
        description: 'Started; follow it at GET /v1/integrations/shopify/backfill',
        schema: backfillView,
      },
      409: {
        description: 'A backfill is already running (shopify_backfill_running) or the app was uninstalled',
      },
    },
    async handler({ ctx, body }) {
      return { status: 202, body: await backfill.start(ctx, body.since, body.mode) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/integrations/shopify/backfill',
    summary: "The latest backfill's progress: counts done, estimated total, state and errors",
    tag: 'Integrations',
    auth: 'apiKey',
    responses: { 200: { description: 'The latest backfill', schema: backfillView } },
    async handler({ ctx }) {
      return { status: 200, body: await backfill.status(ctx) };
    },
  });
}
