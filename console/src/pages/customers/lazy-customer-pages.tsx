/** The customer pages in their own chunk (the QR encoder and the explanation rules come with them). */
import { lazy, Suspense } from 'react';

// The list is the signed-in landing page: its small chunk starts loading with the shell, in
// parallel with the session check, instead of after it (first rows sooner; decision 0030).
const listChunk = import('./customers-page');
const List = lazy(() => listChunk.then((m) => ({ default: m.CustomersPage })));
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
