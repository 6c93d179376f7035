/**
 * Configuration checks the schemas at the edge cannot express: impossible or
 * self-defeating combinations, each with a stable `code`, a JSON-ish `path` and a
 * message a merchant can act on. `error` issues must be refused; `warning` issues
 * describe settings that have no effect and may be shown without refusing.
 */
import { MAX_DOWNGRADE_WARNING_DAYS } from './downgrade-warning.js';
import { isDateOnly, parseDuration } from './duration.js';
import { hasAtMostDecimals, MULTIPLIER_DECIMALS, POINTS_PER_UNIT_DECIMALS } from './earning.js';
import { isCurrency, isTimeZone } from './money.js';
import { isEnabledCondition } from './qualifications.js';
import type { ProgramSettings, Qualification, TierConfig } from './types.js';
import { parseLocalDate } from './zoned-time.js';

/** Most tiers a program may have. */
export const MAX_TIERS = 20;

export interface ConfigIssue {
  /** Where the problem is, e.g. `tiers[2].maintain[0].minAmount` or `retention.cycle.anchor`. */
  path: string;
  /** Stable machine-readable code. */
  code: string;
  message: string;
  severity: 'error' | 'warning';
}

type Push = (path: string, code: string, message: string, severity?: 'error' | 'warning') => void;

function collector(): { issues: ConfigIssue[]; push: Push } {
  const issues: ConfigIssue[] = [];
  return {
    issues,
    push: (path, code, message, severity = 'error') => issues.push({ path, code, message, severity }),
  };
}

function checkDuration(push: Push, path: string, text: string, dateOnly = false): void {
  const parsed = parseDuration(text);
  if (!parsed.ok) push(path, parsed.code, parsed.message);
  else if (dateOnly && !isDateOnly(parsed.duration)) {
    push(path, 'duration_not_calendar', `"${text}" must be whole days, weeks, months or years`);
  }
}

/** Program settings on their own. */
export function validateSettings(settings: ProgramSettings): ConfigIssue[] {
  const { issues, push } = collector();
  if (!isCurrency(settings.currency))
    push('currency', 'currency_invalid', `unknown currency "${settings.currency}"`);
  if (!isTimeZone(settings.timezone))
    push('timezone', 'timezone_invalid', `unknown time zone "${settings.timezone}"`);
  const ppu = settings.earning.pointsPerUnit;
  if (!(ppu > 0) || !hasAtMostDecimals(ppu, POINTS_PER_UNIT_DECIMALS)) {
    push(
      'earning.pointsPerUnit',
      'points_per_unit_invalid',
      `points per unit must be positive with at most ${POINTS_PER_UNIT_DECIMALS} decimals`,
    );
  }
  const r = settings.retention;
  if (r.mode === 'cycle' && !r.cycle) {
    push('retention.cycle', 'cycle_missing', 'cycle mode needs retention.cycle { every, anchor }');
  }
  if (r.cycle) {
    checkDuration(push, 'retention.cycle.every', r.cycle.every, true);
    if (!parseLocalDate(r.cycle.anchor)) {
      push(
        'retention.cycle.anchor',
        'anchor_invalid',
        `cycle anchor "${r.cycle.anchor}" is not a date YYYY-MM-DD`,
      );
    }
    if (r.mode !== 'cycle') {
      push('retention.cycle', 'cycle_unused', `a cycle has no effect in ${r.mode} mode`, 'warning');
    }
  }
  if (r.maxDropPerCycle !== undefined) {
    if (!Number.isInteger(r.maxDropPerCycle) || r.maxDropPerCycle < 1) {
      push('retention.maxDropPerCycle', 'max_drop_invalid', 'maxDropPerCycle must be a whole number ≥ 1');
    } else if (r.mode !== 'cycle') {
      push(
        'retention.maxDropPerCycle',
        'max_drop_unused',
        'maxDropPerCycle applies to cycle mode only',
        'warning',
      );
    }
  }
  const lead = settings.downgradeWarningDays;
  if (lead !== undefined && lead !== null) {
    if (!Number.isInteger(lead) || lead < 0 || lead > MAX_DOWNGRADE_WARNING_DAYS) {
      push(
        'downgradeWarningDays',
        'downgrade_warning_days_invalid',
        `downgradeWarningDays must be a whole number of days from 0 (off) to ${MAX_DOWNGRADE_WARNING_DAYS}`,
      );
    }
  }
  if (r.inactivity !== undefined) {
    checkDuration(push, 'retention.inactivity', r.inactivity);
    if (r.mode === 'lifetime') {
      push('retention.inactivity', 'inactivity_unused', 'nobody is downgraded in lifetime mode', 'warning');
    }
  }
  return issues;
}

function checkConditions(
  push: Push,
  path: string,
  conditions: readonly Qualification[],
  tierTags: Set<string>,
): void {
  conditions.forEach((q, i) => {
    const at = `${path}[${i}]`;
    const whole = (n: number, field: string, code: string) => {
      if (!Number.isInteger(n) || n < 0) push(`${at}.${field}`, code, `${field} must be a whole number ≥ 0`);
    };
    switch (q.type) {
      case 'tag':
        if (!q.tag.trim()) push(`${at}.tag`, 'tag_empty', 'the tag is empty');
        else if (tierTags.has(q.tag)) {
          push(`${at}.tag`, 'tag_is_tier_tag', `"${q.tag}" is a tier benefit tag; tier tags never qualify`);
        }
        break;
      case 'segment':
        if (!q.segment.trim()) push(`${at}.segment`, 'segment_empty', 'the segment is empty');
        break;
      case 'orderVolume':
        whole(q.minAmount, 'minAmount', 'amount_invalid');
        checkDuration(push, `${at}.window`, q.window);
        break;
      case 'largeOrder':
      case 'lifetimeSpend':
        whole(q.minAmount, 'minAmount', 'amount_invalid');
        break;
      case 'lifetimePoints':
      case 'carryPoints':
        whole(q.minPoints, 'minPoints', 'points_invalid');
        break;
    }
  });
}

/** A numeric threshold and what makes two conditions comparable (same type, same window). */
function threshold(q: Qualification): { key: string; value: number } | null {
  switch (q.type) {
    case 'orderVolume':
      return { key: `orderVolume:${q.window}`, value: q.minAmount };
    case 'largeOrder':
    case 'lifetimeSpend':
      return { key: q.type, value: q.minAmount };
    case 'lifetimePoints':
    case 'carryPoints':
      return { key: q.type, value: q.minPoints };
    default:
      return null;
  }
}

function checkMaintain(push: Push, path: string, tier: TierConfig): void {
  const qualifying = new Map<string, number>();
  for (const q of tier.qualifications.filter(isEnabledCondition)) {
    const t = threshold(q);
    if (t) qualifying.set(t.key, Math.max(qualifying.get(t.key) ?? 0, t.value));
  }
  (tier.maintain ?? []).forEach((q, i) => {
    const t = threshold(q);
    const entry = t ? qualifying.get(t.key) : undefined;
    if (t && entry !== undefined && isEnabledCondition(q) && t.value > entry) {
      push(
        `${path}.maintain[${i}]`,
        'maintain_above_qualification',
        `keeping "${tier.title}" would need ${t.value} (${q.type}) but entering it needs only ${entry}`,
      );
    }
  });
}

/** Tiers on their own and against the settings. */
export function validateTiers(tiers: readonly TierConfig[], settings?: ProgramSettings): ConfigIssue[] {
  const { issues, push } = collector();
  if (tiers.length > MAX_TIERS)
    push('tiers', 'too_many_tiers', `at most ${MAX_TIERS} tiers (got ${tiers.length})`);
  const tierTags = new Set(tiers.flatMap((t) => (t.benefits.tag ? [t.benefits.tag] : [])));
  const ids = new Set<string>();
  const ranks = new Set<number>();
  tiers.forEach((tier, i) => {
    const at = `tiers[${i}]`;
    if (ids.has(tier.id)) push(`${at}.id`, 'tier_id_duplicate', `tier id "${tier.id}" is used twice`);
    ids.add(tier.id);
    if (ranks.has(tier.rank)) push(`${at}.rank`, 'rank_duplicate', `two tiers share rank ${tier.rank}`);
    ranks.add(tier.rank);
    if (!tier.title.trim()) push(`${at}.title`, 'title_empty', 'the title is empty');
    checkConditions(push, `${at}.qualifications`, tier.qualifications, tierTags);
    if (tier.maintain) checkConditions(push, `${at}.maintain`, tier.maintain, tierTags);
    checkMaintain(push, at, tier);
    const b = tier.benefits;
    if (b.multiplier !== undefined) {
      if (!(b.multiplier > 0))
        push(`${at}.benefits.multiplier`, 'multiplier_invalid', 'the multiplier must be > 0');
      else if (!hasAtMostDecimals(b.multiplier, MULTIPLIER_DECIMALS)) {
        push(`${at}.benefits.multiplier`, 'multiplier_precision', `at most ${MULTIPLIER_DECIMALS} decimals`);
      }
    }
    if (b.bonusPoints !== undefined && (!Number.isInteger(b.bonusPoints) || b.bonusPoints < 0)) {
      push(`${at}.benefits.bonusPoints`, 'bonus_invalid', 'bonus points must be a whole number ≥ 0');
    }
    if (settings && settings.retention.mode !== 'cycle') {
      if (tier.maintain && settings.retention.mode === 'lifetime') {
        push(`${at}.maintain`, 'maintain_unused', 'nobody is downgraded in lifetime mode', 'warning');
      }
      const carry = [...tier.qualifications, ...(tier.maintain ?? [])].some((q) => q.type === 'carryPoints');
      if (carry) {
        push(
          `${at}`,
          'carry_without_cycle',
          'carry points never reset without cycles: they act as lifetime points',
          'warning',
        );
      }
    }
  });
  const enabled = tiers.filter((t) => t.enabled);
  if (enabled.length > 0 && !enabled.some((t) => !t.qualifications.some(isEnabledCondition))) {
    push(
      'tiers',
      'no_entry_tier',
      'no enabled entry tier: customers who meet nothing have no tier',
      'warning',
    );
  }
  return issues;
}

/** Settings and tiers together. */
export function validateConfig(settings: ProgramSettings, tiers: readonly TierConfig[]): ConfigIssue[] {
  return [...validateSettings(settings), ...validateTiers(tiers, settings)];
}

/** A new tier order (`PUT /v1/tiers/order`): every existing tier exactly once, nothing else. */
export function validateTierOrder(
  existingIds: readonly string[],
  orderedIds: readonly string[],
): ConfigIssue[] {
  const { issues, push } = collector();
  const known = new Set(existingIds);
  const seen = new Set<string>();
  orderedIds.forEach((id, i) => {
    if (!known.has(id)) push(`tierIds[${i}]`, 'tier_unknown', `no tier "${id}"`);
    else if (seen.has(id)) push(`tierIds[${i}]`, 'tier_duplicate', `tier "${id}" is listed twice`);
    seen.add(id);
  });
  for (const id of existingIds) {
    if (!seen.has(id)) push('tierIds', 'tier_missing', `tier "${id}" is missing from the order`);
  }
  return issues;
}
