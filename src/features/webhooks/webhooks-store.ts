/** The storage the webhooks feature needs (docs/decisions/0036). */
import type { Store } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';
import type { WebhookRepository } from '../../store/webhook-port.js';

/** One program's subscriptions and their delivery log (every method of the repository). */
export interface WebhooksScope {
  webhooks: WebhookRepository;
}

export type WebhooksStore = ScopedStore<WebhooksScope>;

/** The deliveries as the delivery handler sees them: claimed across programs. */
export type WebhookDeliveriesStore = Pick<Store, 'webhookDeliveries'>;
