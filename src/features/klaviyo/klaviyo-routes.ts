/** HTTP routes of the Klaviyo destination (docs/klaviyo.md). */
import type { ApiRegistry } from '../../http/route.js';
import { connectBody, connectionView, syncView } from './klaviyo-schemas.js';
import type { KlaviyoService } from './klaviyo-service.js';
import type { KlaviyoSyncService } from './klaviyo-sync.js';

export function registerKlaviyoRoutes(
  api: ApiRegistry,
  klaviyo: KlaviyoService,
  sync: KlaviyoSyncService,
): void {
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
    method: 'post',
    path: '/v1/integrations/klaviyo/sync',
    summary:
      'Push every customer’s profile properties to Klaviyo with Bulk Import Profiles jobs, in the background; while a sync runs, that one is answered',
    tag: 'Integrations',
    auth: 'apiKey',
    expensive: 'klaviyo-sync',
    responses: { 202: { description: 'The sync running (follow it with GET)', schema: syncView } },
    async handler({ ctx }) {
      return { status: 202, body: await sync.start(ctx) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/integrations/klaviyo/sync',
    summary: 'The latest profile sync and its progress',
    tag: 'Integrations',
    auth: 'apiKey',
    responses: { 200: { description: 'The sync', schema: syncView } },
    async handler({ ctx }) {
      return { status: 200, body: await sync.status(ctx) };
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
