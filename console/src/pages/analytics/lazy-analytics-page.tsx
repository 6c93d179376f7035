/** The analytics page in its own chunk: Chart.js is loaded only here (decision 0031). */
import { lazyPage } from '../../components/lazy-page';

export const AnalyticsPage = lazyPage(
  () => import('./analytics-page'),
  'AnalyticsPage',
  'Loading analytics…',
);
