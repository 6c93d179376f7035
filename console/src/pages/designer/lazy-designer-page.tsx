/**
 * The designer in its own chunk: it carries the pass model, the face drawing and the QR encoder,
 * which the rest of the console does not need (initial JavaScript budget, decision 0029).
 */
import { lazy, Suspense } from 'react';

const Page = lazy(() => import('./designer-page').then((m) => ({ default: m.DesignerPage })));

export function DesignerPage({ tierId }: { tierId: string | null }) {
  return (
    <Suspense
      fallback={
        <p className="loading" role="status">
          Loading the pass designer…
        </p>
      }
    >
      {/* key: a different design starts with a fresh page state */}
      <Page key={tierId ?? ''} tierId={tierId} />
    </Suspense>
  );
}
