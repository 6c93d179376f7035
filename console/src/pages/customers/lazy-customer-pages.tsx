/** The customer pages in their own chunk (the QR encoder and the explanation rules come with them). */
import { lazy, Suspense } from 'react';

const List = lazy(() => import('./customers-page').then((m) => ({ default: m.CustomersPage })));
const Detail = lazy(() => import('./customer-page').then((m) => ({ default: m.CustomerPage })));

function Loading() {
  return (
    <p className="loading" role="status">
      Loading…
    </p>
  );
}

export function CustomersPage() {
  return (
    <Suspense fallback={<Loading />}>
      <List />
    </Suspense>
  );
}

export function CustomerPage({ customerId }: { customerId: string }) {
  return (
    <Suspense fallback={<Loading />}>
      {/* key: another customer starts with a fresh page state */}
      <Detail key={customerId} customerId={customerId} />
    </Suspense>
  );
}
