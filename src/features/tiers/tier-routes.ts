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
import { tierSetBody, tierSetResult, tierSetView } from './tier-set-schemas.js';
import { tierSetVersion } from './tier-set-version.js';

export function registerTierRoutes(api: ApiRegistry, tiers: TierService): void {
  api.add({
    method: 'get',
    path: '/v1/tiers',
    summary: 'List tiers, lowest rank first',
    tag: 'Tiers',
    auth: 'apiKey',
    responses: { 200: { description: 'Tiers and the version of the set', schema: tierSetView } },
    async handler({ ctx }) {
      const list = await tiers.list(ctx);
      return { status: 200, body: { data: list.map(tierView), version: tierSetVersion(list) } };
    },
  });
  api.add({
    method: 'put',
    path: '/v1/tiers',
    summary:
      'Replace the whole tier set atomically (apply a simulated draft): listed ids are kept, tiers without id created, the others deleted',
    tag: 'Tiers',
    auth: 'apiKey',
    body: tierSetBody,
    responses: {
      200: { description: 'The new tier set', schema: tierSetResult },
      400: {
        description: 'invalid_configuration (as POST /v1/simulations), invalid_tier_set or validation_failed',
      },
      409: { description: 'tier_set_changed: expectedVersion is not the current version; nothing changed' },
    },
    async handler({ ctx, body }) {
      const r = await tiers.replaceAll(ctx, body);
      return {
        status: 200,
        body: {
          data: r.tiers.map(tierView),
          version: tierSetVersion(r.tiers),
          created: r.created,
          deleted: r.deleted,
          resync: r.immediate ? ('immediate' as const) : ('debounced' as const),
        },
      };
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
