/**
 * Values derived from the JSON Schemas of an OpenAPI document: a plausible sample, and values a
 * schema states it refuses (a type outside its types, beyond its bounds, an unknown field).
 */

/** A JSON Schema node. */
export type Schema = Record<string, unknown>;

export function typesOf(s: Schema): Set<string> | undefined {
  if (typeof s.type === 'string') return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type as string[]);
  const branches = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (!branches) return undefined;
  const all = new Set<string>();
  for (const b of branches) {
    const t = typesOf(b);
    if (!t) return undefined;
    for (const x of t) all.add(x);
  }
  return all;
}

/** JSON values of a type outside `types` (integer counts as number). */
export function wrongTyped(types: Set<string>): unknown[] {
  const candidates: [string, unknown][] = [
    ['string', 'not-that'],
    ['number', 12345],
    ['boolean', true],
    ['array', []],
    ['object', {}],
    ['null', null],
  ];
  const has = (t: string) => types.has(t) || (t === 'number' && types.has('integer'));
  return candidates.filter(([t]) => !has(t)).map(([, v]) => v);
}

/** JSON values the schema's own bounds refuse (beyond maximum, under minimum, fractions, lengths). */
export function outOfBounds(s: Schema): unknown[] {
  const out: unknown[] = [];
  const t = typesOf(s);
  if (t?.size === 1 && (t.has('integer') || t.has('number'))) {
    if (typeof s.maximum === 'number') out.push(s.maximum + 1, 1e308, 2 ** 64);
    if (typeof s.minimum === 'number') out.push(s.minimum - 1, -1e308);
    if (t.has('integer')) out.push(0.5, -2.25);
  }
  if (t?.size === 1 && t.has('string')) {
    if (typeof s.maxLength === 'number') out.push('x'.repeat(s.maxLength + 1));
    if (typeof s.minLength === 'number' && s.minLength > 0) out.push('');
    if (Array.isArray(s.enum)) out.push('not-one-of-them');
    if (typeof s.const === 'string') out.push(`${s.const}-not`);
    if (typeof s.format === 'string' && ['date-time', 'date', 'email', 'uri'].includes(s.format)) {
      out.push(`not a ${s.format}`);
    }
  }
  if (t?.size === 1 && t.has('array') && typeof s.maxItems === 'number') {
    out.push(Array.from({ length: s.maxItems + 1 }, () => sample((s.items ?? {}) as Schema)));
  }
  return out;
}

/** A plausible value of a schema (not necessarily valid: the mutation makes it invalid anyway). */
export function sample(s: Schema, depth = 0): unknown {
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if ('default' in s) return s.default;
  const branches = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (branches?.[0]) return sample(branches[0], depth);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const required = new Set((s.required ?? []) as string[]);
      const out: Record<string, unknown> = {};
      if (depth > 5) return out;
      for (const [k, v] of Object.entries(props)) if (required.has(k)) out[k] = sample(v, depth + 1);
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'string':
      if (s.format === 'date-time') return '2026-01-01T00:00:00Z';
      if (s.format === 'date') return '2026-01-01';
      if (s.format === 'email') return 'a@example.com';
      return 'x';
    default:
      return 'x';
  }
}

/**
 * Places in a body schema whose own type or bounds the document states, reached only through
 * plain objects, arrays and nullable wrappers (a value wrong for one branch of a real union
 * might be right for another).
 */
export function typedPlaces(
  s: Schema,
  path: (string | number)[] = [],
  out: { path: (string | number)[]; schema: Schema }[] = [],
) {
  if (path.length > 4) return out;
  if (path.length > 0 && typesOf(s)) out.push({ path, schema: s });
  const branches = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  const plain = branches
    ? branches.length === 2 && branches.some((b) => b.type === 'null')
      ? branches.find((b) => b.type !== 'null')
      : undefined
    : s;
  if (!plain) return out;
  if (plain.type === 'object') {
    for (const [k, v] of Object.entries((plain.properties ?? {}) as Record<string, Schema>)) {
      typedPlaces(v, [...path, k], out);
    }
  } else if (
    plain.type === 'array' &&
    plain.items &&
    (plain.maxItems === undefined || (plain.maxItems as number) > 0)
  ) {
    typedPlaces(plain.items as Schema, [...path, 0], out);
  }
  return out;
}

export function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const arr = Array.isArray(root) ? [...root] : [];
    arr[0] = setAt(arr[0], rest, value);
    return arr;
  }
  const obj = typeof root === 'object' && root !== null && !Array.isArray(root) ? { ...root } : {};
  (obj as Record<string, unknown>)[head as string] = setAt(
    (obj as Record<string, unknown>)[head as string],
    rest,
    value,
  );
  return obj;
}

/** Objects that refuse unknown fields (additionalProperties: false), at the root or one level down. */
export function strictPlaces(s: Schema): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (s.type === 'object' && s.additionalProperties === false) {
    out.push([]);
    for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
      if (v.type === 'object' && v.additionalProperties === false) out.push([k]);
    }
  }
  return out;
}
