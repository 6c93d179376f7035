/** HTTP routes of the Shopify write-back's setting and record (docs/shopify.md, decision 0045). */
import { z } from 'zod';
import type { ApiRegistry } from '../../http/route.js';
import type { ShopifyWriteBackService } from './shopify-write-back-service.js';

const PATH = '/v1/integrations/shopify/write-back';

export const writeBackBody = z.strictObject({
  enabled: z.boolean().describe('Write tier tags and metafields to the shop (default true)'),
});

export const writeBackView = z.object({
  enabled: z.boolean(),
  synced: z.number().int().describe('Customers written to the shop'),
  failed: z.number().int().describe('Write-backs given up (token revoked, customer not in the shop)'),
  lastSyncedAt: z.string().nullable(),
  lastError: z
    .object({ code: z.string(), message: z.string(), at: z.string() })
    .nullable()
    .describe('Why the last write-back was given up'),
});

export function registerShopifyWriteBackRoutes(api: ApiRegistry, writeBack: ShopifyWriteBackService): void {
  api.add({
    method: 'get',
    path: PATH,
    summary: 'Whether tier tags and metafields are written back to the Shopify store, and what was written',
    tag: 'Integrations',
    auth: 'apiKey',
    responses: { 200: { description: 'The write-back setting and record', schema: writeBackView } },
    async handler({ ctx }) {
      return { status: 200, body: await writeBack.status(ctx) };
    },
  });
  api.add({
    method: 'put',
    path: PATH,
    summary: 'Turn the Shopify write-back of tier tags and metafields on or off',
    tag: 'Integrations',
    auth: 'apiKey',
    body: writeBackBody,
    responses: { 200: { description: 'The write-back setting and record', schema: writeBackView } },
    async handler({ ctx, body }) {
      return { status: 200, body: await writeBack.configure(ctx, body) };
    },
  });
}
