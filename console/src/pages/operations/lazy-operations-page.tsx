/** The operations page in its own chunk (initial JavaScript budget). */
import { lazyPage } from '../../components/lazy-page';

export const OperationsPage = lazyPage(
  () => import('./operations-page'),
  'OperationsPage',
  'Loading operations…',
);
