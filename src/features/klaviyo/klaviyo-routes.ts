/** HTTP routes of the Klaviyo destination (docs/klaviyo.md). */
import type { ApiRegistry } from '../../http/route.js';
import { connectBody, connectionView } from './klaviyo-schemas.js';
import type { KlaviyoService } from './klaviyo-service.js';

export function registerKlaviyoRoutes(api: ApiRegistry, klaviyo: KlaviyoService): void {
  api.add({
    method: 'put',
    path: '/v1/integrations/klaviyo',
    summary:
      'Connect the program to Klaviyo: the private API key is checked against Klaviyo, stored sealed and never returned; tier events and profiles are then sent',
    tag: 'Integrations',
    auth: 'apiKey',
    body: connectBody,
    expensive: 'klaviyo-connect',
    responses: { 200: { description: 'Connected (the key is never returned)', schema: connectionView } },
    async handler({ ctx, body }) {
      return { status: 200, body: await klaviyo.connect(ctx, body) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/integrations/klaviyo',
    summary: 'The Klaviyo connection, without its key; state needs_attention when Klaviyo refused the key',
    tag: 'Integrations',
    auth: 'apiKey',
    responses: { 200: { description: 'The connection', schema: connectionView } },
    async handler({ ctx }) {
      return { status: 200, body: await klaviyo.status(ctx) };
    },
  });
  api.add({
    method: 'delete',
    path: '/v1/integrations/klaviyo',
    summary: 'Disconnect Klaviyo: the key is forgotten and nothing more is sent',
    tag: 'Integrations',
    auth: 'apiKey',
    responses: { 204: { description: 'Disconnected' } },
    async handler({ ctx }) {
      await klaviyo.disconnect(ctx);
      return { status: 204 };
    },
  });
}
