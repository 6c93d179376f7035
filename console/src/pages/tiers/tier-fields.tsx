/**
 * The fields of one tier — title, icon, visibility, enabled, qualifications, maintain conditions,
 * benefits — editing a `TierDraft` held by the caller: a saved tier (tier-form-page) or a draft
 * tier in memory (the simulation page). Errors are keyed by the request's field paths.
 */
import type { FieldErrors } from '../../api/field-errors';
import { CheckboxField, TextField } from '../../components/form-controls';
import { BenefitsFields } from './benefits-fields';
import { ConditionListEditor } from './condition-list-editor';
import type { TierDraft } from './tier-draft';

export function TierFields({
  draft,
  currency,
  errors,
  onChange,
}: {
  draft: TierDraft;
  currency: string;
  errors: FieldErrors;
  /** A change to some fields of the draft. */
  onChange(patch: Partial<TierDraft>): void;
}) {
  const set = onChange;
  return (
    <>
      <fieldset className="group">
        <legend>Tier</legend>
        <TextField
          label="Title"
          value={draft.title}
          onChange={(e) => set({ title: e.target.value })}
          error={errors.title}
          hint="The tier's name on passes and in the API, e.g. Gold."
        />
        <TextField
          label="Icon"
          value={draft.icon}
          onChange={(e) => set({ icon: e.target.value })}
          error={errors.icon}
          hint="Optional: a short name or emoji shown next to the title."
        />
        <CheckboxField
          label="Visible to customers"
          checked={draft.visible}
          onChange={(e) => set({ visible: e.target.checked })}
          hint="Hidden tiers still apply their benefits and are still evaluated, but passes and the public API never show their name or icon (the pass keeps your program's branding)."
        />
        <CheckboxField
          label="Enabled"
          checked={draft.enabled}
          onChange={(e) => set({ enabled: e.target.checked })}
          hint="A disabled tier is skipped when placing customers and hidden from them; its members are moved at once to the highest other tier they qualify for."
        />
      </fieldset>

      <fieldset className="group">
        <legend>Who gets this tier</legend>
        <p className="hint">
          All active conditions must hold. With none, everyone qualifies: this is an entry tier. Customers are
          placed in the highest enabled tier they qualify for.
        </p>
        <ConditionListEditor
          noun="Qualification"
          path="qualifications"
          conditions={draft.qualifications}
          currency={currency}
          errors={errors}
          onChange={(qualifications) => set({ qualifications })}
        />
      </fieldset>

      <fieldset className="group">
        <legend>What keeps this tier</legend>
        <CheckboxField
          label="Use separate conditions to keep the tier"
          checked={draft.maintainOn}
          onChange={(e) => set({ maintainOn: e.target.checked })}
          hint="In cycle retention, members keep the tier at a boundary when these held during the closing cycle (e.g. $400 in the last 12 months). Off: the qualifications above are used."
        />
        {draft.maintainOn ? (
          <ConditionListEditor
            noun="Maintain condition"
            path="maintain"
            conditions={draft.maintain}
            currency={currency}
            errors={errors}
            onChange={(maintain) => set({ maintain })}
          />
        ) : null}
      </fieldset>

      <BenefitsFields draft={draft} errors={errors} onChange={set} />
    </>
  );
}
