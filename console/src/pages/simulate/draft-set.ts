/**
 * The draft tier set of "Test before launch": tier drafts in memory (the tier form's own
 * `TierDraft`), turned into the tier list both POST /v1/simulations and PUT /v1/tiers take, and
 * errors of either (the shared `createTierBody` schema in the browser, `invalid_configuration`
 * from the server: `body.tiers.<index>.<field>`) placed at their draft tier and field.
 */
import { createTierBody } from '../../../../src/features/tiers/tier-schemas.js';
import { ApiError } from '../../api/client';
import { type FieldErrors, fieldKey, zodFieldErrors } from '../../api/field-errors';
import type { Tier } from '../../api/types';
import { emptyTierDraft, type TierDraft, tierBody, tierDraft } from '../tiers/tier-draft';

/** One tier of the draft set. */
export interface DraftEntry {
  /** Stable React key. */
  key: string;
  /** The live tier this draft edits; null for a tier the draft adds. */
  id: string | null;
  draft: TierDraft;
}

/** Field errors per draft tier (by key), and errors that belong to no tier. */
export interface DraftErrors {
  byTier: Record<string, FieldErrors>;
  general: string[];
}

let seq = 0;
function nextKey(): string {
  seq += 1;
  return `d${seq}`;
}

/** The live tiers as a draft, lowest first. */
export function draftsOf(tiers: Tier[], currency: string): DraftEntry[] {
  return tiers.map((t) => ({ key: nextKey(), id: t.id, draft: tierDraft(t, currency) }));
}

/** A new draft tier. */
export function newDraftEntry(title: string): DraftEntry {
  return { key: nextKey(), id: null, draft: { ...emptyTierDraft(), title } };
}

/** The request's tier list, and the errors the browser finds with the server's own schema. */
export function draftBodies(
  entries: DraftEntry[],
  currency: string,
): { tiers: Record<string, unknown>[]; errors: DraftErrors } {
  const errors: DraftErrors = { byTier: {}, general: [] };
  const tiers = entries.map((e) => {
    const { body, errors: amountErrors } = tierBody(e.draft, currency);
    const parsed = createTierBody.safeParse(body);
    const found = { ...(parsed.success ? {} : zodFieldErrors(parsed.error)), ...amountErrors };
    if (Object.keys(found).length > 0) errors.byTier[e.key] = found;
    return e.id === null ? body : { id: e.id, ...body };
  });
  return { tiers, errors };
}

/** A thrown API error's details placed at their draft tier (`body.tiers.<i>.…`) or left general. */
export function serverDraftErrors(err: unknown, entries: DraftEntry[]): DraftErrors {
  const out: DraftErrors = { byTier: {}, general: [] };
  if (!(err instanceof ApiError)) return out;
  for (const d of err.details) {
    const m = /^body\.tiers\.(\d+)(?:\.(.*))?$/.exec(d.path);
    const entry = m ? entries[Number(m[1])] : undefined;
    if (!entry) {
      out.general.push(d.message);
      continue;
    }
    const field = fieldKey(m?.[2] ?? '');
    const tierErrors = out.byTier[entry.key] ?? {};
    tierErrors[field] ??= d.message;
    out.byTier[entry.key] = tierErrors;
  }
  return out;
}

/** Whether any error was found. */
export function hasErrors(e: DraftErrors): boolean {
  return e.general.length > 0 || Object.keys(e.byTier).length > 0;
}
