/** The rehearsal page in its own chunk: only test programs use it (initial JavaScript budget). */
import { lazy, Suspense } from 'react';

const Page = lazy(() => import('./rehearsal-page').then((m) => ({ default: m.RehearsalPage })));

export function RehearsalPage() {
  return (
    <Suspense
      fallback={
        <p className="loading" role="status">
          Loading the rehearsal…
        </p>
      }
    >
      <Page />
    </Suspense>
  );
}
