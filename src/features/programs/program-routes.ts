/** HTTP routes of programs: admin creation, merchant settings. */
import type { ApiRegistry } from '../../http/route.js';
import {
  createProgramBody,
  createProgramResponse,
  programView as programViewSchema,
  updateProgramBody,
} from './program-schemas.js';
import { type ProgramService, programView } from './program-service.js';

export function registerProgramRoutes(api: ApiRegistry, programs: ProgramService): void {
  api.add({
    method: 'post',
    path: '/v1/programs',
    summary: 'Create a program (merchant); returns its API key once',
    tag: 'Admin',
    auth: 'admin',
    body: createProgramBody,
    responses: { 201: { description: 'Created', schema: createProgramResponse } },
    async handler({ body }) {
      const { program, apiKey } = await programs.create(body);
      return { status: 201, body: { program: programView(program), apiKey } };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/program',
    summary: "The caller's program settings",
    tag: 'Program',
    auth: 'apiKey',
    responses: { 200: { description: 'Settings', schema: programViewSchema } },
    async handler({ ctx }) {
      return { status: 200, body: programView(ctx.program) };
    },
  });

  api.add({
    method: 'patch',
    path: '/v1/program',
    summary: 'Change program settings (nested objects are replaced whole)',
    tag: 'Program',
    auth: 'apiKey',
    body: updateProgramBody,
    responses: { 200: { description: 'Updated settings', schema: programViewSchema } },
    async handler({ ctx, body }) {
      return { status: 200, body: programView(await programs.update(ctx, body)) };
    },
  });
}
