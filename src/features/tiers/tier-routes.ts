/** HTTP routes of tiers. */
import type { ApiRegistry } from '../../http/route.js';
import {
  createTierBody,
  tierIdParams,
  tierList,
  tierOrderBody,
  tierView as tierViewSchema,
  updateTierBody,
} from './tier-schemas.js';
import { type TierService, tierView } from './tier-service.js';

export function registerTierRoutes(api: ApiRegistry, tiers: TierService): void {
  api.add({
    method: 'get',
    path: '/v1/tiers',
    summary: 'List tiers, lowest rank first',
    tag: 'Tiers',
    auth: 'apiKey',
    responses: { 200: { description: 'Tiers', schema: tierList } },
    async handler({ ctx }) {
      return { status: 200, body: { data: (await tiers.list(ctx)).map(tierView) } };
    },
  });
  api.add({
    method: 'post',
    path: '/v1/tiers',
    summary: 'Create a tier at the top of the order',
    tag: 'Tiers',
    auth: 'apiKey',
    body: createTierBody,
    responses: { 201: { description: 'Created', schema: tierViewSchema } },
    async handler({ ctx, body }) {
      return { status: 201, body: tierView(await tiers.create(ctx, body)) };
    },
  });
  // Registered before /v1/tiers/:tierId so "order" is never taken for a tier id.
  api.add({
    method: 'put',
    path: '/v1/tiers/order',
    summary: 'Reorder all tiers atomically (lowest first)',
    tag: 'Tiers',
    auth: 'apiKey',
    body: tierOrderBody,
    responses: { 200: { description: 'Tiers in their new order', schema: tierList } },
    async handler({ ctx, body }) {
      return { status: 200, body: { data: (await tiers.reorder(ctx, body.tierIds)).map(tierView) } };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/tiers/:tierId',
    summary: 'One tier',
    tag: 'Tiers',
    auth: 'apiKey',
    params: tierIdParams,
    responses: { 200: { description: 'The tier', schema: tierViewSchema } },
    async handler({ ctx, params }) {
      return { status: 200, body: tierView(await tiers.get(ctx, params.tierId)) };
    },
  });
  api.add({
    method: 'patch',
    path: '/v1/tiers/:tierId',
    summary: 'Change some fields of a tier',
    tag: 'Tiers',
    auth: 'apiKey',
    params: tierIdParams,
    body: updateTierBody,
    responses: { 200: { description: 'The updated tier', schema: tierViewSchema } },
    async handler({ ctx, params, body }) {
      return { status: 200, body: tierView(await tiers.update(ctx, params.tierId, body)) };
    },
  });
  api.add({
    method: 'delete',
    path: '/v1/tiers/:tierId',
    summary: 'Delete a tier',
    tag: 'Tiers',
    auth: 'apiKey',
    params: tierIdParams,
    responses: { 204: { description: 'Deleted' } },
    async handler({ ctx, params }) {
      await tiers.remove(ctx, params.tierId);
      return { status: 204 };
    },
  });
}
