/** HTTP route of the cycle-boundary preview (the console shows the next three). */
import type { ApiRegistry } from '../../http/route.js';
import { cyclePreviewQuery, cyclePreviewView, previewCycleBoundaries } from './cycle-preview.js';

export function registerCyclePreviewRoutes(api: ApiRegistry): void {
  api.add({
    method: 'get',
    path: '/v1/program/cycles',
    summary:
      'The next recalculation-cycle boundaries after the program now, in UTC and on the program wall clock (or of unsaved every/anchor)',
    tag: 'Program',
    auth: 'apiKey',
    query: cyclePreviewQuery,
    responses: {
      200: { description: 'Boundaries, oldest first', schema: cyclePreviewView },
      422: { description: 'cycle_out_of_range: boundaries after the year 9999' },
    },
    async handler({ ctx, query }) {
      return { status: 200, body: previewCycleBoundaries(ctx, query) };
    },
  });
}
