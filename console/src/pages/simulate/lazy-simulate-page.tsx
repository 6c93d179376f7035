/** "Test before launch" in its own chunk: only merchants who simulate load it (decision 0031). */
import { lazy, Suspense } from 'react';

const Page = lazy(() => import('./simulate-page').then((m) => ({ default: m.SimulatePage })));

export function SimulatePage() {
  return (
    <Suspense
      fallback={
        <p className="loading" role="status">
          Loading the simulation…
        </p>
      }
    >
      <Page />
    </Suspense>
  );
}
