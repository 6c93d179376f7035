/** Webhook shapes as the API answers them, inferred from the server's own zod schemas. */
import type { z } from 'zod';
import type {
  createdSubscriptionView,
  deliveryList,
  deliveryView,
  subscriptionView,
} from '../../../../src/features/webhooks/webhook-schemas.js';

/** One subscription of GET /v1/webhooks (never its secret). */
export type Subscription = z.output<typeof subscriptionView>;
/** POST /v1/webhooks: the subscription with its secret, shown once. */
export type CreatedSubscription = z.output<typeof createdSubscriptionView>;
/** One delivery of the log, with its attempts. */
export type Delivery = z.output<typeof deliveryView>;
/** GET /v1/webhooks/{id}/deliveries. */
export type DeliveryPage = z.output<typeof deliveryList>;
