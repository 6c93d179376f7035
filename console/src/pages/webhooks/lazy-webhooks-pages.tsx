/**
 * The webhook pages in their own chunk, loaded when first opened (initial JavaScript budget,
 * decision 0029): the subscriptions list and one subscription's delivery log.
 */
import { lazyPage } from '../../components/lazy-page';

export const WebhooksPage = lazyPage(() => import('./webhooks-page'), 'WebhooksPage', 'Loading webhooks…');
const Log = lazyPage(() => import('./webhook-page'), 'WebhookPage', 'Loading webhooks…');

export function WebhookPage({ webhookId }: { webhookId: string }) {
  // key: another subscription starts with a fresh log
  return <Log key={webhookId} webhookId={webhookId} />;
}
