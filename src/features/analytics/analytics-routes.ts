/** HTTP routes of tier analytics (merchant API key). */
import type { ApiRegistry } from '../../http/route.js';
import {
  distributionQuery,
  distributionView,
  earningsQuery,
  earningsView,
  movementsQuery,
  movementsView,
} from './analytics-schemas.js';
import type { AnalyticsService } from './analytics-service.js';

export function registerAnalyticsRoutes(api: ApiRegistry, analytics: AnalyticsService): void {
  api.add({
    method: 'get',
    path: '/v1/analytics/distribution',
    summary: 'Customers per tier, now or at a past instant (reconstructed from tier changes)',
    tag: 'Analytics',
    auth: 'apiKey',
    query: distributionQuery,
    responses: {
      200: { description: 'Customers per tier', schema: distributionView },
      400: { description: 'at_in_future or validation_failed' },
    },
    async handler({ ctx, query }) {
      return { status: 200, body: await analytics.distribution(ctx, query.at) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/analytics/movements',
    summary: 'Upgrades and downgrades per local day or week, by reason',
    tag: 'Analytics',
    auth: 'apiKey',
    query: movementsQuery,
    responses: {
      200: { description: 'Movements per interval', schema: movementsView },
      400: {
        description: 'invalid_range, range_too_large (day: 2 years, week: 5 years) or validation_failed',
      },
    },
    async handler({ ctx, query }) {
      return { status: 200, body: await analytics.movements(ctx, query) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/analytics/earnings',
    summary: 'Points awarded and bonus points paid per tier per local month',
    tag: 'Analytics',
    auth: 'apiKey',
    query: earningsQuery,
    responses: {
      200: { description: 'Points per tier per month', schema: earningsView },
      400: { description: 'invalid_range, range_too_large (5 years) or validation_failed' },
    },
    async handler({ ctx, query }) {
      return { status: 200, body: await analytics.earnings(ctx, query) };
    },
  });
}
