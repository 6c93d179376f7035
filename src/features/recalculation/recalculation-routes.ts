/**
 * HTTP routes of recalculation runs: start a manual full sync, follow any run's progress, list
 * the runs (the rehearsal timeline).
 */
import { notFound } from '../../errors.js';
import type { ApiRegistry } from '../../http/route.js';
import { jobIdParams, jobView, runsPage, syncStarted } from './recalculation-schemas.js';
import { type RecalculationService, runView } from './recalculation-service.js';
import { runCursor, runsQuery } from './run-list-query.js';

export function registerRecalculationRoutes(api: ApiRegistry, recalculation: RecalculationService): void {
  api.add({
    method: 'post',
    path: '/v1/sync',
    summary: 'Start a full resync of every customer; it runs in the background',
    tag: 'Recalculation',
    auth: 'apiKey',
    expensive: 'sync',
    responses: { 202: { description: 'Started; follow it at /v1/jobs/{jobId}', schema: syncStarted } },
    async handler({ ctx }) {
      const run = await recalculation.startSync(ctx.program.id, ctx.now);
      return { status: 202, body: { jobId: run.id } };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/jobs/:jobId',
    summary: 'Progress of a recalculation run (sync, resync, daily sync, cycle boundary)',
    tag: 'Recalculation',
    auth: 'apiKey',
    params: jobIdParams,
    responses: { 200: { description: 'The run', schema: jobView } },
    async handler({ ctx, params }) {
      const run = await recalculation.get(ctx.program.id, params.jobId);
      if (!run) throw notFound('job_not_found', `No job ${params.jobId}`);
      const { id, kind, state, processed, total, asOf, createdAt, finishedAt } = run;
      return { status: 200, body: { id, kind, state, processed, total, asOf, createdAt, finishedAt } };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/runs',
    summary:
      'Recalculation runs (cycle boundaries, warnings, daily syncs, resyncs, syncs), newest due time first, with what each changed',
    tag: 'Recalculation',
    auth: 'apiKey',
    query: runsQuery,
    responses: { 200: { description: 'A page of runs', schema: runsPage } },
    async handler({ ctx, query }) {
      const { items, next } = await recalculation.list(ctx.program.id, {
        from: query.from,
        to: query.to,
        kinds: query.kind,
        limit: query.limit,
        cursor: query.cursor,
      });
      const data = items.map((run) => {
        const { id, kind, state, processed, total, asOf, createdAt, finishedAt } = runView(run);
        return {
          id,
          jobId: id,
          kind,
          state,
          processed,
          total,
          asOf,
          at: asOf,
          createdAt,
          startedAt: run.startedAt?.toISOString() ?? null,
          finishedAt,
          error: run.error,
          counts: { movedUp: run.movedUp, movedDown: run.movedDown, warned: run.warned },
        };
      });
      const nextCursor = next ? runCursor({ asOf: next.asOf.toISOString(), id: next.id }) : null;
      return { status: 200, body: { data, nextCursor } };
    },
  });
}
