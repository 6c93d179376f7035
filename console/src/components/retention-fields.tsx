/** Retention mode and its fields (SPEC 4), each explained; shared by onboarding and settings. */
import type { FieldErrors } from '../api/field-errors';
import { DURATION_HINT, durationInWords } from '../format/durations';
import { SelectField, TextField } from './form-controls';

export type RetentionMode = 'lifetime' | 'continuous' | 'cycle';

/** What the merchant typed; `retentionBody` turns it into the API's shape. */
export interface RetentionDraft {
  mode: RetentionMode;
  every: string;
  anchor: string;
  maxDropPerCycle: string;
  inactivity: string;
}

/** The saved retention as a draft. */
export function retentionDraft(r?: {
  mode: RetentionMode;
  cycle?: { every: string; anchor: string };
  maxDropPerCycle?: number;
  inactivity?: string;
}): RetentionDraft {
  return {
    mode: r?.mode ?? 'continuous',
    every: r?.cycle?.every ?? 'P3M',
    anchor: r?.cycle?.anchor ?? `${new Date().getFullYear()}-01-01`,
    maxDropPerCycle: r?.maxDropPerCycle === undefined ? '' : String(r.maxDropPerCycle),
    inactivity: r?.inactivity ?? '',
  };
}

/** The request's `retention`: only the fields the chosen mode uses (the schema refuses the others). */
export function retentionBody(d: RetentionDraft) {
  return {
    mode: d.mode,
    ...(d.mode === 'cycle' ? { cycle: { every: d.every.trim(), anchor: d.anchor } } : {}),
    ...(d.mode === 'cycle' && d.maxDropPerCycle.trim() !== ''
      ? { maxDropPerCycle: Number(d.maxDropPerCycle) }
      : {}),
    ...(d.mode !== 'lifetime' && d.inactivity.trim() !== '' ? { inactivity: d.inactivity.trim() } : {}),
  };
}

export const MODE_EXPLANATIONS: Record<RetentionMode, string> = {
  lifetime:
    'One-way progression: customers move up as soon as they qualify and are never moved down. Only disabling or deleting a tier moves its members.',
  continuous:
    "Re-checked on every order and event and by a daily sync: a customer who no longer meets their tier's conditions (rolling windows expire with time) drops at once to the highest tier they still meet.",
  cycle:
    'Checked only at cycle boundaries: at each boundary a customer keeps or gains the highest tier whose maintain conditions (by default its qualifications) held during the closing cycle, then carry points reset to 0. Upgrades still happen at once.',
};

function withWords(text: string, hint: string): string {
  const words = durationInWords(text);
  return words ? `${hint} Now: ${words}.` : hint;
}

export function RetentionFields({
  draft,
  onChange,
  errors,
}: {
  draft: RetentionDraft;
  onChange(next: RetentionDraft): void;
  /** Keyed like the request (`retention.cycle.every`). */
  errors: FieldErrors;
}) {
  const set = (patch: Partial<RetentionDraft>) => onChange({ ...draft, ...patch });
  return (
    <fieldset className="group">
      <legend>How customers keep their tier</legend>
      <SelectField
        label="Retention mode"
        value={draft.mode}
        onChange={(e) => set({ mode: e.target.value as RetentionMode })}
        hint={MODE_EXPLANATIONS[draft.mode]}
        error={errors['retention.mode'] ?? errors.retention}
      >
        <option value="lifetime">Lifetime — never moved down</option>
        <option value="continuous">Continuous — moved down as soon as they stop qualifying</option>
        <option value="cycle">Cycle — reviewed at cycle boundaries</option>
      </SelectField>
      {draft.mode === 'cycle' ? (
        <div className="grid-2">
          <TextField
            label="Cycle length"
            value={draft.every}
            onChange={(e) => set({ every: e.target.value })}
            hint={withWords(draft.every, `How long one cycle lasts. ${DURATION_HINT}`)}
            error={errors['retention.cycle.every'] ?? errors['retention.cycle']}
          />
          <TextField
            label="Cycle anchor date"
            type="date"
            value={draft.anchor}
            onChange={(e) => set({ anchor: e.target.value })}
            hint="A date a cycle starts on. Boundaries fall on this date plus whole cycles, at midnight in the program's time zone."
            error={errors['retention.cycle.anchor']}
          />
          <TextField
            label="Most tiers lost per boundary"
            inputMode="numeric"
            value={draft.maxDropPerCycle}
            onChange={(e) => set({ maxDropPerCycle: e.target.value })}
            hint="At one boundary a customer drops at most this many tiers (1–20). Leave empty for no limit."
            error={errors['retention.maxDropPerCycle']}
          />
        </div>
      ) : null}
      {draft.mode !== 'lifetime' ? (
        <TextField
          label="Inactivity drop after"
          value={draft.inactivity}
          onChange={(e) => set({ inactivity: e.target.value })}
          hint={withWords(
            draft.inactivity,
            `A customer who earns no points for this long drops one tier; the clock restarts after each drop. Leave empty to never drop for inactivity. ${DURATION_HINT}`,
          )}
          error={errors['retention.inactivity']}
        />
      ) : null}
    </fieldset>
  );
}
