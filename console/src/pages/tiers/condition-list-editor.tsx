/** Edits a list of conditions (qualifications or maintain): type, its value, active or paused. */
import type { FieldErrors } from '../../api/field-errors';
import { CheckboxField, SelectField, TextField } from '../../components/form-controls';
import { amountHint } from '../../format/amounts';
import { DURATION_HINT, durationInWords } from '../../format/durations';
import {
  CONDITION_INFO,
  CONDITION_TYPES,
  type ConditionDraft,
  type ConditionType,
  newCondition,
} from './tier-draft';

function ConditionEditor({
  name,
  condition: c,
  currency,
  errors,
  path,
  onChange,
  onRemove,
}: {
  name: string;
  condition: ConditionDraft;
  currency: string;
  errors: FieldErrors;
  path: string;
  onChange(next: ConditionDraft): void;
  onRemove(): void;
}) {
  const info = CONDITION_INFO[c.type];
  const set = (patch: Partial<ConditionDraft>) => onChange({ ...c, ...patch });
  const words = durationInWords(c.window);
  return (
    <fieldset className="condition">
      <legend>{name}</legend>
      {errors[path] ? (
        <p className="error" role="alert">
          {errors[path]}
        </p>
      ) : null}
      <SelectField
        label="Type"
        value={c.type}
        onChange={(e) => set({ type: e.target.value as ConditionType })}
        hint={info.explain}
        error={errors[`${path}.type`]}
      >
        {CONDITION_TYPES.map((t) => (
          <option key={t} value={t}>
            {CONDITION_INFO[t].label}
          </option>
        ))}
      </SelectField>
      {info.input === 'label' ? (
        <TextField
          label={c.type === 'tag' ? 'Tag' : 'Segment'}
          value={c.label}
          onChange={(e) => set({ label: e.target.value })}
          error={errors[`${path}.${c.type}`]}
        />
      ) : null}
      {info.input === 'amount' ? (
        <TextField
          label={`Minimum amount (${currency})`}
          inputMode="decimal"
          value={c.amount}
          onChange={(e) => set({ amount: e.target.value })}
          hint={`Net of refunds: ${amountHint(currency)}.`}
          error={errors[`${path}.minAmount`]}
        />
      ) : null}
      {c.type === 'orderVolume' ? (
        <TextField
          label="Window"
          value={c.window}
          onChange={(e) => set({ window: e.target.value })}
          hint={`${words ? `Orders of the last ${words}. ` : ''}${DURATION_HINT} Months are calendar months in the program's time zone.`}
          error={errors[`${path}.window`]}
        />
      ) : null}
      {info.input === 'points' ? (
        <TextField
          label="Minimum points"
          inputMode="numeric"
          value={c.points}
          onChange={(e) => set({ points: e.target.value })}
          error={errors[`${path}.minPoints`]}
        />
      ) : null}
      <CheckboxField
        label="Active"
        checked={c.enabled}
        onChange={(e) => set({ enabled: e.target.checked })}
        hint="A paused condition is kept but not checked."
      />
      <button type="button" className="secondary" onClick={onRemove}>
        Remove {name.toLowerCase()}
      </button>
    </fieldset>
  );
}

export function ConditionListEditor({
  noun,
  conditions,
  currency,
  errors,
  path,
  onChange,
}: {
  /** "Qualification" or "Maintain condition": names the fieldsets and buttons. */
  noun: string;
  conditions: ConditionDraft[];
  currency: string;
  errors: FieldErrors;
  /** `qualifications` or `maintain`. */
  path: string;
  onChange(next: ConditionDraft[]): void;
}) {
  return (
    <div className="condition-list">
      {errors[path] ? (
        <p className="error" role="alert">
          {errors[path]}
        </p>
      ) : null}
      {conditions.map((c, i) => (
        <ConditionEditor
          key={c.key}
          name={`${noun} ${i + 1}`}
          condition={c}
          currency={currency}
          errors={errors}
          path={`${path}.${i}`}
          onChange={(next) => onChange(conditions.map((x) => (x.key === c.key ? next : x)))}
          onRemove={() => onChange(conditions.filter((x) => x.key !== c.key))}
        />
      ))}
      <button type="button" className="secondary" onClick={() => onChange([...conditions, newCondition()])}>
        Add {noun.toLowerCase()}
      </button>
    </div>
  );
}
