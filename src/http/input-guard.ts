/**
 * Rules every request input obeys before any route sees it (docs/decisions/0020-hostile-input.md):
 * JSON bodies are UTF-8 and nested at most MAX_JSON_DEPTH deep, and no input string (body,
 * query, path parameter, object key) holds a NUL or a lone UTF-16 surrogate — PostgreSQL
 * refuses the first and silently turns the second into U+FFFD.
 */
import { isUtf8 } from 'node:buffer';
import { type ParsedUrlQuery, parse as parseQueryString } from 'node:querystring';
import type { ErrorDetail } from '../errors.js';

/** Deepest nesting of arrays and objects a JSON body may have; the deepest real body is about 6. */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** An error body-parser passes on with its `type`; the error handler maps the type to a code. */
export class BodyRejected extends Error {
  constructor(
    readonly type: 'charset.unsupported' | 'entity.not.utf8' | 'entity.too.deep',
    message: string,
  ) {
    super(message);
  }
}

/** The deepest nesting of a JSON text, counted on its bytes before parsing (so before any recursion). */
export function jsonDepth(buf: Buffer, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_BRACKET || b === OPEN_BRACE) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (b === CLOSE_BRACKET || b === CLOSE_BRACE) {
      depth--;
    }
  }
  return deepest;
}

/** body-parser `verify` of JSON bodies: UTF-8 only, well-formed UTF-8, bounded depth. */
export function verifyJsonBody(_req: unknown, _res: unknown, buf: Buffer, encoding: string | null): void {
  if (encoding !== null && encoding !== 'utf-8' && encoding !== 'utf8') {
    throw new BodyRejected('charset.unsupported', 'JSON bodies must be UTF-8');
  }
  if (!isUtf8(buf)) throw new BodyRejected('entity.not.utf8', 'The request body is not valid UTF-8');
  if (jsonDepth(buf, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new BodyRejected('entity.too.deep', `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or undefined when it can. */
export function unsafeStringReason(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'must not contain a lone UTF-16 surrogate (\\uD800–\\uDFFF unpaired)';
  return undefined;
}

/**
 * Every string and object key in `value` that breaks the string rule, as validation details
 * (`body.customer.name`, `query.cursor`, `params.jobId`). Iterative, so no input depth can
 * overflow the stack; stops after `max` findings.
 */
export function unsafeStrings(value: unknown, where: string, max = 20): ErrorDetail[] {
  const found: ErrorDetail[] = [];
  const stack: { value: unknown; path: string }[] = [{ value, path: where }];
  while (stack.length > 0 && found.length < max) {
    const item = stack.pop() as { value: unknown; path: string };
    const v = item.value;
    if (typeof v === 'string') {
      const reason = unsafeStringReason(v);
      if (reason) found.push({ path: item.path, code: 'invalid_string', message: reason });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${item.path}.${i}` });
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        const reason = unsafeStringReason(key);
        if (reason) {
          found.push({ path: item.path, code: 'invalid_key', message: `a field name ${reason}` });
          continue;
        }
        stack.push({ value: child, path: `${item.path}.${key}` });
      }
    }
  }
  return found;
}

const MALFORMED_QUERY = Symbol('malformed query string');

/**
 * Express's "query parser": node:querystring (Express's "simple" parser), marking a query
 * string that is not percent-encoded UTF-8 — node:querystring turns `%ff` into U+FFFD and keeps
 * a bare `%` — so that routes refuse it (`queryIsMalformed`). It must not throw: the request
 * logger reads `req.query` too, outside any handler.
 */
export function strictQueryParser(raw: unknown): ParsedUrlQuery {
  if (typeof raw !== 'string' || raw === '') return {};
  const parsed = parseQueryString(raw);
  try {
    decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    Object.defineProperty(parsed, MALFORMED_QUERY, { value: true, enumerable: false });
  }
  return parsed;
}

/** The query string was not percent-encoded UTF-8 (as a validation detail), or undefined. */
export function malformedQuery(query: unknown): ErrorDetail | undefined {
  if (typeof query !== 'object' || query === null || !(MALFORMED_QUERY in query)) return undefined;
  return { path: 'query', code: 'invalid_encoding', message: 'malformed %-escape or not UTF-8' };
}
