/**
 * A small validator for the OpenAPI 3.0 schema keywords Klaviyo's Create Event and Create or
 * Update Profile request schemas use (test/fixtures/klaviyo/README.md): `$ref`, `type`,
 * `nullable`, `enum`, `required`, `properties`, `items`, `oneOf`, `format: date-time`. No JSON
 * Schema validator is installed (ajv is not in node_modules); the fixture's keywords are listed
 * by the README and checked here, so a keyword this does not know fails loudly.
 */
import { readFileSync } from 'node:fs';

interface Fixture {
  revision: string;
  roots: { event: string; profile: string; deletion: string; bulkImport: string };
  schemas: Record<string, Schema>;
}

type Schema = Record<string, unknown>;

export const KLAVIYO_SCHEMAS = JSON.parse(
  readFileSync(new URL('../fixtures/klaviyo/schemas-2026-07-15.json', import.meta.url), 'utf8'),
) as Fixture;

const KNOWN = new Set([
  '$ref',
  'type',
  'nullable',
  'enum',
  'required',
  'properties',
  'items',
  'oneOf',
  'format',
  'description',
  'example',
  'default',
]);

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    default:
      throw new Error(`unknown type ${type}`);
  }
}

/** Errors of `value` against `schema` (empty when valid), each with its JSON path. */
export function validate(schema: Schema, value: unknown, path = '$'): string[] {
  for (const k of Object.keys(schema))
    if (!KNOWN.has(k)) throw new Error(`unsupported keyword ${k} at ${path}`);
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = KLAVIYO_SCHEMAS.schemas[name];
    if (!target) throw new Error(`schema ${name} is not in the fixture`);
    if (value === null && schema.nullable === true) return [];
    return validate(target, value, path);
  }
  if (value === null) return schema.nullable === true ? [] : [`${path}: null is not allowed`];
  if (Array.isArray(schema.oneOf)) {
    const matching = (schema.oneOf as Schema[]).filter((s) => validate(s, value, path).length === 0);
    if (matching.length !== 1) return [`${path}: matches ${matching.length} of oneOf, not exactly one`];
  }
  const errors: string[] = [];
  if (typeof schema.type === 'string' && !typeOk(schema.type, value)) {
    return [`${path}: expected ${schema.type}, got ${JSON.stringify(value)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (schema.format === 'date-time' && typeof value === 'string' && Number.isNaN(Date.parse(value))) {
    errors.push(`${path}: not a date-time`);
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) {
      if (!(r in obj)) errors.push(`${path}: ${r} is required`);
    }
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, s] of Object.entries(props)) {
      if (k in obj) errors.push(...validate(s, obj[k], `${path}.${k}`));
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => {
      errors.push(...validate(schema.items as Schema, v, `${path}[${i}]`));
    });
  }
  return errors;
}

/** Errors of a Create Event request body. */
export const validateEvent = (body: unknown) =>
  validate({ $ref: `#/components/schemas/${KLAVIYO_SCHEMAS.roots.event}` }, body);

/** Errors of a Create or Update Profile request body. */
export const validateProfile = (body: unknown) =>
  validate({ $ref: `#/components/schemas/${KLAVIYO_SCHEMAS.roots.profile}` }, body);

/** Errors of a Request Profile Deletion body (Data Privacy API). */
export const validateDeletion = (body: unknown) =>
  validate({ $ref: `#/components/schemas/${KLAVIYO_SCHEMAS.roots.deletion}` }, body);

/** Errors of a Bulk Import Profiles body. */
export const validateBulkImport = (body: unknown) =>
  validate({ $ref: `#/components/schemas/${KLAVIYO_SCHEMAS.roots.bulkImport}` }, body);
