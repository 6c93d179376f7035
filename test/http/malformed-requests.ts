/**
 * fast-check arbitraries of malformed requests for one operation of the served OpenAPI document.
 * Every request generated is invalid by construction — whatever the rest of it holds, one part
 * must be refused (a poisoned string, a broken %-escape, a body that is not JSON or is too deep,
 * a false Content-Encoding, a schema violation the document states, missing or bad credentials)
 * — so a request that writes, or answers 2xx, is a bug of the service, not of the generator.
 */
import fc from 'fast-check';
import {
  outOfBounds,
  type Schema,
  sample,
  setAt,
  strictPlaces,
  typedPlaces,
  typesOf,
  wrongTyped,
} from './schema-values.js';

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path with {param} placeholders. */
  path: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  /** The JSON body schema; undefined when the operation takes none or a raw body. */
  jsonBody: Schema | undefined;
  /** False when the OpenAPI document marks the body optional (leaving it out is then valid). */
  bodyRequired: boolean;
  /** Content types of a raw (non-JSON) body. */
  rawTypes: string[];
  secured: boolean;
}

export interface MalformedRequest {
  /** What makes it invalid (reported on failure). */
  kind: string;
  method: Operation['method'];
  /** Path and query, already percent-encoded as sent. */
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Known-good values of path parameters (ids of fixtures), so that other mutations reach deep. */
export type Fixtures = Record<string, string>;

/** The operations of an OpenAPI document. */
export function operationsOf(doc: { paths: Record<string, Record<string, Schema>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []) as { name: string; in: string; schema: Schema }[];
      const content = ((op.requestBody as Schema | undefined)?.content ?? {}) as Record<string, Schema>;
      ops.push({
        method: method as Operation['method'],
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        jsonBody: content['application/json']?.schema as Schema | undefined,
        bodyRequired: (op.requestBody as Schema | undefined)?.required !== false,
        rawTypes: Object.keys(content).filter((t) => t !== 'application/json'),
        secured: ((op.security ?? []) as unknown[]).length > 0,
      });
    }
  }
  return ops;
}

// ---- strings and values ------------------------------------------------------------------

const POISON = ['\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d'];
/** A string holding a NUL or a lone surrogate somewhere. */
const poisoned = fc
  .tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...POISON), fc.string({ maxLength: 6 }))
  .map(([a, p, b]) => `${a}${p}${b}`);
/** Path-segment text that is not percent-encoded UTF-8, or decodes to a NUL. */
const brokenSegment = fc.constantFrom(
  '%ff',
  '%e0%80',
  '%',
  '%zz',
  '%c3',
  '%ed%a0%80',
  'a%0',
  '%00',
  'x%00y',
  '%fe%ff',
  '%c0%80',
);

// ---- requests ----------------------------------------------------------------------------

interface Parts {
  kind: string;
  segments?: Record<string, string>;
  query?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The credentials are wrong or missing: invalid on a secured operation whatever else. */
  credentialsOnly?: boolean;
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const text = (v: unknown) => JSON.stringify(v);

function deepJson(depth: number, open: string, close: string): string {
  return `${open.repeat(depth)}${close.repeat(depth)}`;
}

/** The arbitraries of the mutations that make a request to `op` invalid. */
function mutations(op: Operation): fc.Arbitrary<Parts>[] {
  const base = op.jsonBody ? sample(op.jsonBody) : {};
  const arbs: fc.Arbitrary<Parts>[] = [];
  if (op.pathParams.length > 0) {
    arbs.push(
      fc.tuple(fc.constantFrom(...op.pathParams), brokenSegment).map(([name, seg]) => ({
        kind: `path param ${name} = ${seg}`,
        segments: { [name]: seg },
      })),
    );
  }
  const queryNames = [...op.query.map((q) => q.name), 'x', 'cursor', 'limit'];
  arbs.push(
    fc.tuple(fc.constantFrom(...queryNames), poisoned).map(([name, v]) => ({
      kind: 'poisoned query string',
      // A lone surrogate cannot be percent-encoded; NUL can (%00). Keep the poison in both cases.
      query: `${name}=${v.includes('\u0000') ? encodeURIComponent(v) : `${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, ''))}%00`}`,
    })),
  );
  arbs.push(
    fc.tuple(fc.constantFrom(...queryNames), brokenSegment).map(([name, seg]) => ({
      kind: `query ${name} = ${seg}`,
      query: `${name}=${seg}`,
    })),
  );
  for (const q of op.query) {
    const bad = outOfBounds(q.schema).filter((v) => typeof v === 'string' || typeof v === 'number');
    const types = typesOf(q.schema);
    if (types?.has('integer') || types?.has('number')) {
      bad.push('abc', '1e999');
      // An empty value coerces to 0: invalid only where 0 is.
      if (typeof q.schema.minimum === 'number' && q.schema.minimum > 0) bad.push('');
    }
    if (q.schema.format === 'date' || q.schema.format === 'date-time') bad.push('2026-13-45', 'yesterday');
    if (typeof q.schema.pattern === 'string') {
      const re = new RegExp(q.schema.pattern as string, 'u');
      bad.push(...['', 'abc', '-1', '1.5', '1 2'].filter((v) => !re.test(v)));
    }
    // The int8 range is stated in the description (a pattern cannot say it briefly).
    if (String(q.schema.description ?? '').includes('9223372036854775807')) {
      bad.push('9223372036854775808', '9999999999999999999', '18446744073709551616');
    }
    if (bad.length > 0) {
      arbs.push(
        fc.constantFrom(...bad).map((v) => ({
          kind: `query ${q.name} = ${String(v).slice(0, 40)}`,
          query: `${q.name}=${encodeURIComponent(String(v))}`,
        })),
      );
    }
  }
  // Body mutations that every operation refuses, whatever its body (the JSON parser and the
  // string rule run before any route).
  arbs.push(
    fc.tuple(poisoned, fc.constantFrom('value', 'key', 'array', 'nested')).map(([p, where]) => {
      const b = typeof base === 'object' && base !== null && !Array.isArray(base) ? base : {};
      const body =
        where === 'key'
          ? { ...b, [p]: 1 }
          : where === 'array'
            ? [p]
            : where === 'nested'
              ? { ...b, x: { y: [1, { z: p }] } }
              : { ...b, name: p };
      return { kind: `poisoned body string (${where})`, headers: JSON_TYPE, body: text(body) };
    }),
    fc.tuple(fc.integer({ min: 33, max: 5000 }), fc.boolean()).map(([d, arr]) => ({
      kind: `body nested ${d} deep`,
      headers: JSON_TYPE,
      body: arr ? deepJson(d, '[', ']') : `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`,
    })),
    fc
      .tuple(fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'zstd', 'gzip, br', 'x-gzip'), fc.boolean())
      .map(([enc, empty]) => ({
        kind: `Content-Encoding ${enc} on plain text`,
        headers: { ...JSON_TYPE, 'Content-Encoding': enc },
        body: empty ? '{}' : text(base),
      })),
    fc
      .constantFrom(
        '{',
        '{"a":}',
        'nul',
        '[1,]',
        "{'a':1}",
        '{"a":1}}',
        '\u0000',
        'undefined',
        '{"a":"\\ud800',
        '"x"',
      )
      .map((b) => ({ kind: `not JSON: ${b}`, headers: JSON_TYPE, body: b })),
    fc
      .constantFrom(
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
        Buffer.from([0xc0, 0x80]),
      )
      .map((b) => ({ kind: 'body not UTF-8', headers: JSON_TYPE, body: b })),
    fc.constantFrom('utf-16le', 'latin1', 'utf-32').map((cs) => ({
      kind: `JSON in ${cs}`,
      headers: { 'Content-Type': `application/json; charset=${cs}` },
      body: text(base),
    })),
  );
  if (op.jsonBody) {
    const schema = op.jsonBody;
    arbs.push(
      fc
        .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'image/png')
        .map((t) => ({ kind: `JSON body sent as ${t}`, headers: { 'Content-Type': t }, body: text(base) })),
    );
    if (op.bodyRequired) arbs.push(fc.constant({ kind: 'no body' }));
    const rootTypes = typesOf(schema);
    if (rootTypes) {
      const wrong = wrongTyped(rootTypes).filter((v) => typeof v === 'object');
      if (wrong.length > 0) {
        arbs.push(
          fc
            .constantFrom(...wrong)
            .map((v) => ({ kind: 'wrong root type', headers: JSON_TYPE, body: text(v) })),
        );
      }
    }
    const required = (schema.required ?? []) as string[];
    if (required.length > 0 && typeof base === 'object' && base !== null) {
      arbs.push(
        fc.constantFrom(...required).map((name) => {
          const { [name]: _dropped, ...rest } = base as Record<string, unknown>;
          return { kind: `missing ${name}`, headers: JSON_TYPE, body: text(rest) };
        }),
      );
    }
    const strict = strictPlaces(schema);
    if (strict.length > 0) {
      arbs.push(
        fc.tuple(fc.constantFrom(...strict), fc.string({ minLength: 1, maxLength: 8 })).map(([at, key]) => {
          const k = `zz_${key}`;
          const holder = setAt(base, at, {
            ...((at.reduce<unknown>((o, p) => (o as Record<string, unknown>)?.[p as string], base) ??
              {}) as object),
            [k]: 1,
          });
          return { kind: `unknown field ${[...at, k].join('.')}`, headers: JSON_TYPE, body: text(holder) };
        }),
      );
    }
    const places = typedPlaces(schema).flatMap(({ path, schema: s }) => {
      const t = typesOf(s) as Set<string>;
      return [...wrongTyped(t), ...outOfBounds(s)].map((v) => ({ path, v }));
    });
    if (places.length > 0) {
      arbs.push(
        fc.constantFrom(...places).map(({ path, v }) => ({
          kind: `body ${path.join('.')} = ${JSON.stringify(v)?.slice(0, 40)}`,
          headers: JSON_TYPE,
          body: text(setAt(base, path, v)),
        })),
      );
    }
  }
  if (op.rawTypes.length > 0) {
    arbs.push(
      fc
        .constantFrom('text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded')
        .map((t) => ({ kind: `raw body sent as ${t}`, headers: { 'Content-Type': t }, body: 'abc' })),
    );
  }
  if (op.secured) {
    arbs.push(fc.constant({ kind: 'credentials only', credentialsOnly: true }));
  }
  return arbs;
}

const badCredentials = fc.oneof(
  fc.constant<Record<string, string>>({}),
  fc
    .string({ minLength: 1, maxLength: 60 })
    .map((s) => ({ Authorization: `Bearer ${s.replace(/[^\x21-\x7e]/g, 'x')}` })),
  fc.constantFrom<Record<string, string>>(
    { Authorization: 'Bearer' },
    { Authorization: 'Basic dXNlcjpwYXNz' },
    { Authorization: `Bearer tp_live_${'A'.repeat(43)}` },
    { Authorization: `Bearer ${'x'.repeat(5000)}` },
    { Authorization: 'ApplePass 0000' },
  ),
);

/** Malformed requests to `op`, with valid credentials (`auth`) most of the time. */
export function malformedRequests(
  op: Operation,
  fixtures: Fixtures,
  auth: Record<string, string>,
): fc.Arbitrary<MalformedRequest> {
  const creds = op.secured
    ? fc.oneof(
        { weight: 3, arbitrary: fc.constant({ valid: true, headers: auth }) },
        { weight: 2, arbitrary: badCredentials.map((headers) => ({ valid: false, headers })) },
      )
    : fc.oneof(
        fc.constant({ valid: false, headers: {} as Record<string, string> }),
        badCredentials.map((headers) => ({ valid: false, headers })),
      );
  return fc
    .tuple(fc.oneof(...mutations(op)), creds)
    .filter(([m, c]) => !m.credentialsOnly || (op.secured && !c.valid))
    .map(([m, c]) => {
      const path = op.path.replace(
        /\{([^}]+)\}/g,
        (_all, name: string) => m.segments?.[name] ?? encodeURIComponent(fixtures[name] ?? 'x'),
      );
      const label = `${m.kind}${op.secured ? (c.valid ? ', valid key' : `, credentials ${JSON.stringify(c.headers).slice(0, 60)}`) : ''}`;
      return {
        kind: label,
        method: op.method,
        url: m.query ? `${path}?${m.query}` : path,
        headers: { ...c.headers, ...m.headers },
        body: m.body,
      };
    });
}
