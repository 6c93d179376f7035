/** A tier's benefits (SPEC 2.2): tag, points multiplier, one-time bonus, rewards list. */
import type { FieldErrors } from '../../api/field-errors';
import { TextField } from '../../components/form-controls';
import type { TierDraft } from './tier-draft';

type Benefits = Pick<TierDraft, 'benefitTag' | 'multiplier' | 'bonusPoints' | 'rewards'>;

export function BenefitsFields({
  draft,
  errors,
  onChange,
}: {
  draft: Benefits;
  errors: FieldErrors;
  onChange(patch: Partial<Benefits>): void;
}) {
  return (
    <fieldset className="group">
      <legend>Benefits</legend>
      <div className="grid-2">
        <TextField
          label="Tier tag"
          value={draft.benefitTag}
          onChange={(e) => onChange({ benefitTag: e.target.value })}
          hint="Added to members on entering the tier and removed on leaving; announced by the customer.tags_changed webhook so your shop can mirror it. Never counts toward a qualification."
          error={errors['benefits.tag']}
        />
        <TextField
          label="Points multiplier"
          inputMode="decimal"
          value={draft.multiplier}
          onChange={(e) => onChange({ multiplier: e.target.value })}
          hint="Points earned while in this tier are multiplied (e.g. 1.5). Not retroactive. Empty = 1."
          error={errors['benefits.multiplier']}
        />
        <TextField
          label="Bonus points"
          inputMode="numeric"
          value={draft.bonusPoints}
          onChange={(e) => onChange({ bonusPoints: e.target.value })}
          hint="Given once per customer on first entering the tier; kept when the tier is lost, never given again."
          error={errors['benefits.bonusPoints']}
        />
      </div>
      <div className="rewards">
        <p className="label-like" id="rewards-label">
          Rewards
        </p>
        <p className="hint">
          Perks in your own words (free shipping, early access), shown on the pass and in the API.
        </p>
        {errors['benefits.rewards'] ? (
          <p className="error" role="alert">
            {errors['benefits.rewards']}
          </p>
        ) : null}
        <ul className="plain">
          {draft.rewards.map((r, i) => (
            // Rewards are plain strings without ids; position is their identity while editing.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <li key={i} className="row">
              <TextField
                label={`Reward ${i + 1}`}
                value={r}
                onChange={(e) =>
                  onChange({ rewards: draft.rewards.map((x, j) => (j === i ? e.target.value : x)) })
                }
                error={errors[`benefits.rewards.${i}`]}
              />
              <button
                type="button"
                className="secondary"
                onClick={() => onChange({ rewards: draft.rewards.filter((_, j) => j !== i) })}
              >
                Remove reward {i + 1}
              </button>
            </li>
          ))}
        </ul>
        <button
          type="button"
          className="secondary"
          onClick={() => onChange({ rewards: [...draft.rewards, ''] })}
        >
          Add reward
        </button>
      </div>
    </fieldset>
  );
}
