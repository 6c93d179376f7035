/**
 * Program settings: tiers on/off, currency, time zone, points per unit, retention and its
 * fields, downgrade warnings; validated with the server's `updateProgramBody`, saved with
 * PATCH /v1/program.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { updateProgramBody } from '../../../../src/features/programs/program-schemas.js';
import { api, messageOf } from '../../api/client';
import { type FieldErrors, serverFieldErrors, zodFieldErrors } from '../../api/field-errors';
import { useSession } from '../../api/session';
import type { Program } from '../../api/types';
import { Banner, CheckboxField, SelectField, TextField } from '../../components/form-controls';
import {
  type RetentionDraft,
  RetentionFields,
  retentionBody,
  retentionDraft,
} from '../../components/retention-fields';
import { currencyOptions, timeZoneOptions } from '../../components/zone-and-currency';
import { CycleBoundaries } from './cycle-boundaries';

interface SettingsDraft {
  tiersEnabled: boolean;
  currency: string;
  timezone: string;
  pointsPerUnit: string;
  retention: RetentionDraft;
  downgradeWarningDays: string;
}

function draftOf(p: Program): SettingsDraft {
  return {
    tiersEnabled: p.tiersEnabled,
    currency: p.currency,
    timezone: p.timezone,
    pointsPerUnit: String(p.earning.pointsPerUnit),
    retention: retentionDraft(p.retention),
    downgradeWarningDays: String(p.downgradeWarningDays),
  };
}

function bodyOf(d: SettingsDraft) {
  return {
    tiersEnabled: d.tiersEnabled,
    currency: d.currency,
    timezone: d.timezone,
    earning: { pointsPerUnit: d.pointsPerUnit.trim() === '' ? Number.NaN : Number(d.pointsPerUnit) },
    retention: retentionBody(d.retention),
    ...(d.retention.mode === 'cycle'
      ? { downgradeWarningDays: d.downgradeWarningDays.trim() === '' ? 0 : Number(d.downgradeWarningDays) }
      : {}),
  };
}

const TIERS_ON_OFF =
  'Off: no qualification is evaluated and no tier benefit applies (multiplier 1, no bonus points, no tier tags); customers keep their tier assignment, inactive, and keep earning base points. Turning tiers back on resyncs every customer.';

export function SettingsPage() {
  const { program, setProgram } = useSession();
  const [draft, setDraft] = useState<SettingsDraft | null>(program ? draftOf(program) : null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [banner, setBanner] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  // The session's copy may be older than the program (another tab, the API): start from GET /v1/program.
  useEffect(() => {
    const ctl = new AbortController();
    api<Program>('GET', '/v1/program', { signal: ctl.signal }).then(
      (p) => {
        setProgram(p);
        setDraft(draftOf(p));
      },
      () => undefined,
    );
    return () => ctl.abort();
  }, [setProgram]);

  useEffect(() => {
    if (attempt === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [attempt]);

  if (!draft) return <p role="status">Loading…</p>;
  const set = (patch: Partial<SettingsDraft>) => setDraft({ ...draft, ...patch });

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    setBanner(null);
    const body = bodyOf(draft);
    const parsed = updateProgramBody.safeParse(body);
    if (!parsed.success) {
      setErrors(zodFieldErrors(parsed.error));
      setBanner({ kind: 'error', text: 'Some settings need a change before they can be saved.' });
      setAttempt((n) => n + 1);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const saved = await api<Program>('PATCH', '/v1/program', { body });
      setProgram(saved);
      setDraft(draftOf(saved));
      setBanner({ kind: 'success', text: 'Settings saved.' });
    } catch (err) {
      setErrors(serverFieldErrors(err));
      setBanner({ kind: 'error', text: messageOf(err) });
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  const r = draft.retention;
  return (
    <section>
      <h1>Program settings</h1>
      {banner ? <Banner kind={banner.kind}>{banner.text}</Banner> : null}
      <form ref={formRef} onSubmit={submit} noValidate>
        <fieldset className="group">
          <legend>Tiers</legend>
          <CheckboxField
            label="Tiers are on"
            checked={draft.tiersEnabled}
            onChange={(e) => set({ tiersEnabled: e.target.checked })}
            hint={TIERS_ON_OFF}
          />
        </fieldset>
        <fieldset className="group">
          <legend>Money, time and points</legend>
          <div className="grid-2">
            <SelectField
              label="Currency"
              value={draft.currency}
              onChange={(e) => set({ currency: e.target.value })}
              hint="The currency of your orders. Tier amounts are entered and shown in it."
              error={errors.currency}
            >
              {currencyOptions(draft.currency).map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </SelectField>
            <SelectField
              label="Time zone"
              value={draft.timezone}
              onChange={(e) => set({ timezone: e.target.value })}
              hint="Cycle boundaries fall at midnight here, and month windows are calendar months here."
              error={errors.timezone}
            >
              {timeZoneOptions(draft.timezone).map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </SelectField>
            <TextField
              label="Points per currency unit"
              inputMode="decimal"
              value={draft.pointsPerUnit}
              onChange={(e) => set({ pointsPerUnit: e.target.value })}
              hint={`Base points per 1 ${draft.currency} of net order value (e.g. 10). Fractions of a point are rounded down per order.`}
              error={errors['earning.pointsPerUnit'] ?? errors.earning}
            />
          </div>
        </fieldset>
        <RetentionFields draft={r} onChange={(retention) => set({ retention })} errors={errors} />
        {r.mode === 'cycle' ? (
          <>
            <CycleBoundaries every={r.every} anchor={r.anchor} />
            <TextField
              label="Downgrade warning (days before a boundary)"
              inputMode="numeric"
              value={draft.downgradeWarningDays}
              onChange={(e) => set({ downgradeWarningDays: e.target.value })}
              hint="This many days before each boundary, the tier.downgrade_warning webhook goes out for every customer that boundary would move down, with what they need to keep their tier. 0 turns it off."
              error={errors.downgradeWarningDays}
            />
          </>
        ) : null}
        <div className="row actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      </form>
    </section>
  );
}
