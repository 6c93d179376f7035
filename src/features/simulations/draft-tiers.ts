/**
 * Draft tier configurations: the POST /v1/tiers body plus an optional id, turned into
 * the tier rules' `TierConfig` (rank = position, lowest first) and checked as a whole
 * with the domain's configuration checks.
 */
import { z } from 'zod';
import type { ProgramSettings, TierConfig } from '../../domain/types.js';
import { type ConfigIssue, validateConfig } from '../../domain/validate-config.js';
import { badRequest } from '../../errors.js';
import { createTierBody, MAX_TIERS } from '../tiers/tier-schemas.js';

/** The key under which customers without a tier are counted. */
export const NO_TIER = 'none';

/** A draft tier: the tier body of POST /v1/tiers, with an optional id (default `draft-<index>`). */
export const draftTierSchema = createTierBody.extend({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, "_" or "-"')
    .refine((id) => id !== NO_TIER, `"${NO_TIER}" is reserved for customers without a tier`)
    .optional()
    .describe('An existing tier id makes the draft tier that tier (its members keep it as retention allows)'),
});

/** Draft tiers, lowest first. */
export const draftTierList = z.array(draftTierSchema).min(1, 'at least one tier').max(MAX_TIERS);

export type DraftTier = z.output<typeof draftTierSchema>;

/** Draft tiers as the rules see them: ids filled in, rank = position in the list. */
export function toTierConfigs(drafts: readonly DraftTier[]): TierConfig[] {
  return drafts.map((d, i) => ({
    id: d.id ?? `draft-${i}`,
    title: d.title,
    icon: d.icon,
    visible: d.visible,
    enabled: d.enabled,
    rank: i,
    qualifications: d.qualifications,
    maintain: d.maintain,
    benefits: d.benefits,
  }));
}

/** `tiers[2].maintain[0]` → `body.tiers.2.maintain.0`, the path style of validation errors. */
function bodyPath(path: string): string {
  return `body.${path.replace(/\[(\d+)\]/g, '.$1')}`;
}

/** A configuration issue as the API shows it. */
export function issueView(i: ConfigIssue) {
  return { path: bodyPath(i.path), code: i.code, message: i.message };
}

/**
 * Check settings and draft tiers together: 400 `invalid_configuration` with every error;
 * warnings (settings without effect) are returned for the response.
 */
export function checkDraft(settings: ProgramSettings, tiers: readonly TierConfig[]): ConfigIssue[] {
  const issues = validateConfig(settings, tiers);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) {
    throw badRequest('invalid_configuration', errors.map((e) => e.message).join('; '), errors.map(issueView));
  }
  return issues.filter((i) => i.severity === 'warning');
}
