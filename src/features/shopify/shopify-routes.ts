/** HTTP routes of the Shopify connector (docs/shopify.md). */
import type { ApiRegistry } from '../../http/route.js';
import {
  connectBody,
  connectionView,
  dataRequestList,
  dataRequestParams,
  webhookAck,
} from './shopify-schemas.js';
import type { ShopifyService } from './shopify-service.js';

/** The webhook endpoint: its JSON body is read raw, for the signature (http/app.ts `rawJsonPaths`). */
export const SHOPIFY_WEBHOOK_PATH = '/shopify/webhooks';

/** Largest webhook body accepted (Shopify's order payloads are well below). */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

export function registerShopifyRoutes(api: ApiRegistry, shopify: ShopifyService): void {
  api.add({
    method: 'put',
    path: '/v1/integrations/shopify',
    summary:
      'Connect the program to a Shopify store: credentials checked against the shop, stored sealed, webhooks registered',
    tag: 'Integrations',
    auth: 'apiKey',
    body: connectBody,
    expensive: 'shopify-connect',
    responses: { 200: { description: 'Connected (credentials are never returned)', schema: connectionView } },
    async handler({ ctx, body }) {
      return { status: 200, body: await shopify.connect(ctx, body) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/integrations/shopify',
    summary: 'The connected Shopify store, without its credentials',
    tag: 'Integrations',
    auth: 'apiKey',
    responses: { 200: { description: 'The connection', schema: connectionView } },
    async handler({ ctx }) {
      return { status: 200, body: await shopify.status(ctx) };
    },
  });
  api.add({
    method: 'delete',
    path: '/v1/integrations/shopify',
    summary:
      'Disconnect the Shopify store: its webhook subscriptions are removed and its credentials forgotten',
    tag: 'Integrations',
    auth: 'apiKey',
    responses: { 204: { description: 'Disconnected' } },
    async handler({ ctx }) {
      await shopify.disconnect(ctx);
      return { status: 204 };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/integrations/shopify/data-requests',
    summary:
      'The shop’s customers/data_request deliveries, newest first (at most 100), each with whether its export can be downloaded',
    tag: 'Integrations',
    auth: 'apiKey',
    responses: { 200: { description: 'The data requests', schema: dataRequestList } },
    async handler({ ctx }) {
      return { status: 200, body: await shopify.dataRequests(ctx) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/integrations/shopify/data-requests/:requestId/export',
    summary:
      'Download the export a customers/data_request produced (the GET /v1/customers/{id}/export document as of the request); 404 when none is stored or the customer was erased since',
    tag: 'Integrations',
    auth: 'apiKey',
    params: dataRequestParams,
    responses: { 200: { description: 'The customer’s export, as an attachment' } },
    async handler({ ctx, params }) {
      const doc = await shopify.dataRequestExport(ctx, params.requestId);
      const file = `data-request-${params.requestId.replace(/[^\w.-]/g, '_')}.json`;
      return { status: 200, body: doc, headers: { 'Content-Disposition': `attachment; filename="${file}"` } };
    },
  });
  api.add({
    method: 'post',
    path: SHOPIFY_WEBHOOK_PATH,
    summary:
      'Shopify webhooks: the X-Shopify-Hmac-Sha256 signature of the raw body is verified before anything is parsed; a repeated X-Shopify-Webhook-Id changes nothing',
    tag: 'Integrations',
    auth: 'none',
    rawBody: {
      contentTypes: ['application/json'],
      description: 'The webhook payload exactly as Shopify signed it',
      maxBytes: MAX_WEBHOOK_BYTES,
    },
    headers: [
      {
        name: 'X-Shopify-Hmac-Sha256',
        required: true,
        description: 'base64 HMAC-SHA256 of the body with the app secret',
      },
      { name: 'X-Shopify-Shop-Domain', required: true, description: 'The shop, <name>.myshopify.com' },
      { name: 'X-Shopify-Topic', required: true, description: 'e.g. orders/paid' },
      {
        name: 'X-Shopify-Webhook-Id',
        required: true,
        description: 'The delivery id; repeats are acknowledged without effect',
      },
    ],
    responses: { 200: { description: 'Accepted (or a duplicate)', schema: webhookAck } },
    async handler({ req, raw }) {
      const body = await shopify.receive(
        {
          hmac: req.get('X-Shopify-Hmac-Sha256'),
          shop: req.get('X-Shopify-Shop-Domain'),
          topic: req.get('X-Shopify-Topic'),
          webhookId: req.get('X-Shopify-Webhook-Id'),
        },
        raw ?? Buffer.alloc(0),
      );
      return { status: 200, body };
    },
  });
}
