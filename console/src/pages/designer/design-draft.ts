/**
 * The designer's editable form state and its conversion to the server's `PassDesign`, checked
 * with the server's own `passDesignSchema` (so the form and PUT …/design never disagree).
 * Pure: no React, no DOM.
 */
import {
  colorSchema,
  type PassDesign,
  passDesignSchema,
} from '../../../../src/features/passes/pass-design-schemas.js';

/** Every editable field, by its dotted path in the design (`labels.tier`, `texts.about`). */
export const DESIGN_FIELDS = [
  'backgroundColor',
  'foregroundColor',
  'labelColor',
  'logoText',
  'description',
  'labels.tier',
  'labels.points',
  'labels.progress',
  'labels.rewards',
  'labels.member',
  'texts.about',
  'texts.terms',
  'texts.contact',
] as const;
export type DesignField = (typeof DESIGN_FIELDS)[number];

/** The form: one string per field; '' means "not set here" (inherited). */
export type Draft = Record<DesignField, string>;

export const COLOR_FIELDS = ['backgroundColor', 'foregroundColor', 'labelColor'] as const;

/** The value of a dotted field in a (possibly partial) design, as text; '' when absent. */
export function fieldValue(
  design: PassDesign | Record<string, unknown> | undefined,
  field: DesignField,
): string {
  if (!design) return '';
  const [head, key] = field.split('.') as [string, string | undefined];
  const top = (design as Record<string, unknown>)[head];
  const value = key ? (top as Record<string, unknown> | undefined)?.[key] : top;
  return typeof value === 'string' ? value : '';
}

/** The form state of a stored design (the merchant's own fields only). */
export function draftOf(design: PassDesign | Record<string, unknown> | undefined): Draft {
  return Object.fromEntries(DESIGN_FIELDS.map((f) => [f, fieldValue(design, f)])) as Draft;
}

/** The request body of a draft: empty fields left out (inherit), nested objects only when used. */
export function bodyOf(draft: Draft, skip: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of DESIGN_FIELDS) {
    const v = draft[f];
    if (v.trim() === '' || skip.has(f)) continue;
    const [head, key] = f.split('.') as [string, string | undefined];
    if (key) {
      const group = (out[head] as Record<string, unknown> | undefined) ?? {};
      group[key] = v;
      out[head] = group;
    } else out[head] = v;
  }
  return out;
}

export interface CheckedDraft {
  /** The design that validates: every field with an error is left out (so the preview keeps working). */
  design: PassDesign;
  /** Schema errors by field (`labels.tier` → message). */
  errors: Partial<Record<DesignField, string>>;
}

function messageOf(code: string, message: string): string {
  if (code === 'too_big') return message.replace(/^Too big: expected string to have /, 'Must have ');
  if (code === 'too_small') return 'Must not be empty';
  return message;
}

/** Validate a draft with the server's schema; field errors by path, and the valid part. */
export function checkDraft(draft: Draft): CheckedDraft {
  const errors: Partial<Record<DesignField, string>> = {};
  const first = passDesignSchema.safeParse(bodyOf(draft));
  if (first.success) return { design: first.data, errors };
  for (const issue of first.error.issues) {
    const path = issue.path.join('.') as DesignField;
    if ((DESIGN_FIELDS as readonly string[]).includes(path)) {
      errors[path] ??= messageOf(issue.code, issue.message);
    }
  }
  const second = passDesignSchema.safeParse(bodyOf(draft, new Set(Object.keys(errors))));
  return { design: second.success ? second.data : {}, errors };
}

/** `#rrggbb` for an `<input type=color>` from any colour the schema accepts; null otherwise. */
export function toHex(value: string): string | null {
  const parsed = colorSchema.safeParse(value);
  if (!parsed.success) return null;
  const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(parsed.data);
  if (!m) return null;
  return `#${[m[1], m[2], m[3]].map((n) => Number(n).toString(16).padStart(2, '0')).join('')}`;
}

/** Server `validation_failed` details (`labels.tier` after `body.`) narrowed to the form's fields. */
export function serverFieldErrors(errors: Record<string, string>): {
  fields: Partial<Record<DesignField, string>>;
  other: string[];
} {
  const fields: Partial<Record<DesignField, string>> = {};
  const other: string[] = [];
  for (const [path, message] of Object.entries(errors)) {
    if ((DESIGN_FIELDS as readonly string[]).includes(path)) fields[path as DesignField] ??= message;
    else other.push(path ? `${path}: ${message}` : message);
  }
  return { fields, other };
}
