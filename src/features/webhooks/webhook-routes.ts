/** HTTP routes of webhook subscriptions and their delivery log. */
import type { ApiRegistry } from '../../http/route.js';
import {
  createdSubscriptionView,
  deliveriesQuery,
  deliveryList,
  deliveryParams,
  deliveryView as deliveryViewSchema,
  rotateSecretBody,
  subscribeBody,
  subscriptionList,
  subscriptionView as subscriptionViewSchema,
  webhookIdParams,
} from './webhook-schemas.js';
import { deliveryView, subscriptionView, type WebhookService } from './webhook-service.js';

export function registerWebhookRoutes(api: ApiRegistry, webhooks: WebhookService): void {
  api.add({
    method: 'post',
    path: '/v1/webhooks',
    summary: 'Subscribe a URL to events; the response carries the signing secret, shown only once',
    tag: 'Webhooks',
    auth: 'apiKey',
    body: subscribeBody,
    responses: { 201: { description: 'Subscribed', schema: createdSubscriptionView } },
    async handler({ ctx, body }) {
      const { record, secret } = await webhooks.subscribe(ctx, body);
      return { status: 201, body: { ...subscriptionView(record), secret } };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/webhooks',
    summary: 'Subscriptions (without secrets), with why any is disabled',
    tag: 'Webhooks',
    auth: 'apiKey',
    responses: { 200: { description: 'Subscriptions', schema: subscriptionList } },
    async handler({ ctx }) {
      return { status: 200, body: { data: (await webhooks.list(ctx)).map(subscriptionView) } };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/webhooks/:webhookId',
    summary: 'One subscription',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: webhookIdParams,
    responses: { 200: { description: 'The subscription', schema: subscriptionViewSchema } },
    async handler({ ctx, params }) {
      return { status: 200, body: subscriptionView(await webhooks.get(ctx, params.webhookId)) };
    },
  });
  api.add({
    method: 'delete',
    path: '/v1/webhooks/:webhookId',
    summary: 'Unsubscribe; pending deliveries stop',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: webhookIdParams,
    responses: { 204: { description: 'Unsubscribed' } },
    async handler({ ctx, params }) {
      await webhooks.remove(ctx, params.webhookId);
      return { status: 204 };
    },
  });
  api.add({
    method: 'post',
    path: '/v1/webhooks/:webhookId/enable',
    summary: 'Turn a disabled subscription back on; its waiting deliveries resume',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: webhookIdParams,
    responses: { 200: { description: 'The subscription', schema: subscriptionViewSchema } },
    async handler({ ctx, params }) {
      return { status: 200, body: subscriptionView(await webhooks.enable(ctx, params.webhookId)) };
    },
  });
  api.add({
    method: 'post',
    path: '/v1/webhooks/:webhookId/rotate-secret',
    summary:
      'Replace the signing secret (the new one shown only in this response); during the overlap every delivery is signed with the new and the previous secret',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: webhookIdParams,
    body: rotateSecretBody,
    bodyOptional: true,
    responses: {
      200: { description: 'The subscription with its new secret', schema: createdSubscriptionView },
    },
    async handler({ ctx, params, body }) {
      const { record, secret } = await webhooks.rotateSecret(ctx, params.webhookId, body);
      return { status: 200, body: { ...subscriptionView(record), secret } };
    },
  });
  api.add({
    method: 'post',
    path: '/v1/webhooks/:webhookId/test',
    summary:
      'Send a signed ping event now, whatever the subscription’s events; follow the returned delivery in the log',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: webhookIdParams,
    expensive: 'webhook-test',
    responses: {
      202: { description: 'The ping’s delivery, queued (attempted once)', schema: deliveryViewSchema },
      409: { description: 'The subscription is disabled (webhook_disabled): enable it first' },
    },
    async handler({ ctx, params }) {
      return { status: 202, body: deliveryView(await webhooks.ping(ctx, params.webhookId)) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/webhooks/:webhookId/deliveries',
    summary: 'Deliveries, newest first, with every attempt (status code, time, error); cursor-paginated',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: webhookIdParams,
    query: deliveriesQuery,
    responses: { 200: { description: 'Deliveries', schema: deliveryList } },
    async handler({ ctx, params, query }) {
      const page = await webhooks.deliveries(ctx, params.webhookId, query);
      return { status: 200, body: { data: page.items.map(deliveryView), nextCursor: page.nextCursor } };
    },
  });
  api.add({
    method: 'post',
    path: '/v1/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
    summary: 'Send the delivery’s event again now (a new delivery, same event id)',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: deliveryParams,
    responses: { 202: { description: 'The new delivery, queued', schema: deliveryViewSchema } },
    async handler({ ctx, params }) {
      return {
        status: 202,
        body: deliveryView(await webhooks.redeliver(ctx, params.webhookId, params.deliveryId)),
      };
    },
  });
}
