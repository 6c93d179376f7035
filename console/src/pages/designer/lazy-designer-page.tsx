/**
 * The designer in its own chunk: it carries the pass model, the face drawing and the QR encoder,
 * which the rest of the console does not need (initial JavaScript budget, decision 0029).
 */
import { lazyPage } from '../../components/lazy-page';

const Page = lazyPage(() => import('./designer-page'), 'DesignerPage', 'Loading the pass designer…');

export function DesignerPage({ tierId }: { tierId: string | null }) {
  // key: a different design starts with a fresh page state
  return <Page key={tierId ?? ''} tierId={tierId} />;
}
