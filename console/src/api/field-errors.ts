/**
 * Field errors keyed like the server's request paths (`qualifications.0.minAmount`), from the
 * server's own zod schemas run in the browser or from a 400 answer, so each form shows both at
 * the same control.
 */
import type { z } from 'zod';
import { ApiError } from './client';

/** Errors keyed by field path. */
export type FieldErrors = Record<string, string>;

/** Normalise a server or zod path: `body.`/`tiers.<id>.` prefixes dropped, `[0]` → `.0`. */
export function fieldKey(path: string): string {
  return path
    .replace(/^body\.?/, '')
    .replace(/^tiers\.[^.[]+\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/^\./, '');
}

/** The first message per field of a failed `safeParse`. */
export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = fieldKey(issue.path.map(String).join('.'));
    out[key] ??= issue.message;
  }
  return out;
}

/** Field errors of a thrown API error (400 validation_failed or invalid_configuration); empty otherwise. */
export function serverFieldErrors(err: unknown): FieldErrors {
  if (!(err instanceof ApiError)) return {};
  const out: FieldErrors = {};
  for (const d of err.details) out[fieldKey(d.path)] ??= d.message;
  return out;
}

/** Errors of fields `keys` does not cover: shown in the form's banner so nothing is lost. */
export function unplacedErrors(errors: FieldErrors, shown: Iterable<string>): string[] {
  const placed = new Set(shown);
  return Object.entries(errors)
    .filter(([k]) => !placed.has(k))
    .map(([k, m]) => (k ? `${k}: ${m}` : m));
}
