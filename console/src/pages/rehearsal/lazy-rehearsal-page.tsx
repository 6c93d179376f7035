/** The rehearsal page in its own chunk: only test programs use it (initial JavaScript budget). */
import { lazyPage } from '../../components/lazy-page';

export const RehearsalPage = lazyPage(
  () => import('./rehearsal-page'),
  'RehearsalPage',
  'Loading the rehearsal…',
);
