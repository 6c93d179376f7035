/** The OpenAPI 3.1 document, generated from the registered routes' zod schemas. */
import { z } from 'zod';
import type { RouteDef } from './route.js';

type JsonSchema = Record<string, unknown>;

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable machine-readable code' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object' } },
        errorId: { type: 'string', description: 'On 500: the id under which the error was logged' },
      },
    },
  },
};

function parametersOf(route: RouteDef): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const js = toSchema(schema, 'input');
    const props = (js.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((js.required as string[] | undefined) ?? []);
    for (const [name, prop] of Object.entries(props)) {
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema: prop });
    }
  }
  for (const h of route.headers ?? []) {
    out.push({
      name: h.name,
      in: 'header',
      required: h.required,
      description: h.description,
      schema: { type: 'string' },
    });
  }
  return out;
}

/** Build the document for a list of routes. */
export function buildOpenApi(routes: RouteDef[], info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const op: JsonSchema = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: parametersOf(route),
      responses: {},
    };
    // Either credential: the API key, or the console's session cookie (writes then need X-CSRF-Token).
    if (route.auth === 'apiKey') op.security = [{ apiKey: [] }, { sessionCookie: [] }];
    else if (route.auth === 'admin') op.security = [{ adminToken: [] }];
    else op.security = [];
    if (route.body) {
      op.requestBody = {
        required: route.bodyOptional !== true,
        content: { 'application/json': { schema: toSchema(route.body, 'input') } },
      };
    } else if (route.rawBody) {
      op.requestBody = {
        required: true,
        description: route.rawBody.description,
        content: Object.fromEntries(
          route.rawBody.contentTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
        ),
      };
    }
    const responses = op.responses as Record<string, JsonSchema>;
    for (const [status, doc] of Object.entries(route.responses)) {
      const contentType = doc.contentType ?? 'application/json';
      responses[status] = doc.schema
        ? {
            description: doc.description,
            content: { [contentType]: { schema: toSchema(doc.schema, 'output') } },
          }
        : { description: doc.description };
    }
    responses.default = {
      description: 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
    paths[path] ??= {};
    (paths[path] as Record<string, JsonSchema>)[route.method] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Program API key' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'tierpass_session',
          description:
            "Console session from POST /v1/session; with it, every request other than GET/HEAD/OPTIONS must send the session's csrfToken as X-CSRF-Token",
        },
      },
    },
  };
}
