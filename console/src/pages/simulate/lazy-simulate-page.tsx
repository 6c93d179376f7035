/** "Test before launch" in its own chunk: only merchants who simulate load it (decision 0031). */
import { lazyPage } from '../../components/lazy-page';

export const SimulatePage = lazyPage(
  () => import('./simulate-page'),
  'SimulatePage',
  'Loading the simulation…',
);
