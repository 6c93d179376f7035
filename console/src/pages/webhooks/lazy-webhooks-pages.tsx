/**
 * The webhook pages in their own chunk, loaded when first opened (initial JavaScript budget,
 * decision 0029): the subscriptions list and one subscription's delivery log.
 */
import { lazy, Suspense } from 'react';

const List = lazy(() => import('./webhooks-page').then((m) => ({ default: m.WebhooksPage })));
const Log = lazy(() => import('./webhook-page').then((m) => ({ default: m.WebhookPage })));

function Loading() {
  return (
    <p className="loading" role="status">
      Loading webhooks…
    </p>
  );
}

export function WebhooksPage() {
  return (
    <Suspense fallback={<Loading />}>
      <List />
    </Suspense>
  );
}

export function WebhookPage({ webhookId }: { webhookId: string }) {
  return (
    <Suspense fallback={<Loading />}>
      {/* key: another subscription starts with a fresh log */}
      <Log key={webhookId} webhookId={webhookId} />
    </Suspense>
  );
}
