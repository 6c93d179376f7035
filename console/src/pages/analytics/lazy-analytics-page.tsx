/** The analytics page in its own chunk: Chart.js is loaded only here (decision 0031). */
import { lazy, Suspense } from 'react';

const Page = lazy(() => import('./analytics-page').then((m) => ({ default: m.AnalyticsPage })));

export function AnalyticsPage() {
  return (
    <Suspense
      fallback={
        <p className="loading" role="status">
          Loading analytics…
        </p>
      }
    >
      <Page />
    </Suspense>
  );
}
