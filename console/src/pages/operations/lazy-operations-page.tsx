/** The operations page in its own chunk (initial JavaScript budget). */
import { lazy, Suspense } from 'react';

const Page = lazy(() => import('./operations-page').then((m) => ({ default: m.OperationsPage })));

export function OperationsPage() {
  return (
    <Suspense
      fallback={
        <p className="loading" role="status">
          Loading operations…
        </p>
      }
    >
      <Page />
    </Suspense>
  );
}
