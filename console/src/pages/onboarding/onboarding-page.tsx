/**
 * Create a program with the service's admin token (POST /v1/programs). The token lives only in
 * this component's state and is sent once as a Bearer header; the new API key is shown once and
 * forgotten after signing in with it.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { createProgramBody } from '../../../../src/features/programs/program-schemas.js';
import { ApiError, api, messageOf } from '../../api/client';
import { type FieldErrors, serverFieldErrors, zodFieldErrors } from '../../api/field-errors';
import { useSession } from '../../api/session';
import { Banner, SelectField, TextField } from '../../components/form-controls';
import {
  type RetentionDraft,
  RetentionFields,
  retentionBody,
  retentionDraft,
} from '../../components/retention-fields';
import { browserTimeZone, currencyOptions, timeZoneOptions } from '../../components/zone-and-currency';
import { Link, navigate } from '../../router';
import { ApiKeyOnce } from './api-key-once';

export function OnboardingPage() {
  const { signIn } = useSession();
  const [adminToken, setAdminToken] = useState('');
  const [name, setName] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [timezone, setTimezone] = useState(browserTimeZone);
  const [pointsPerUnit, setPointsPerUnit] = useState('10');
  const [retention, setRetention] = useState<RetentionDraft>(() => retentionDraft());
  const [errors, setErrors] = useState<FieldErrors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ apiKey: string; name: string } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (attempt === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [attempt]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBanner(null);
    const body = {
      name,
      currency,
      timezone,
      earning: { pointsPerUnit: pointsPerUnit.trim() === '' ? Number.NaN : Number(pointsPerUnit) },
      retention: retentionBody(retention),
    };
    const found: FieldErrors = {};
    if (adminToken.trim() === '') found.adminToken = 'Enter the admin token of this Tierpass server.';
    const parsed = createProgramBody.safeParse(body);
    if (!parsed.success) Object.assign(found, zodFieldErrors(parsed.error));
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setAttempt((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      const res = await api<{ apiKey: string; program: { name: string } }>('POST', '/v1/programs', {
        body,
        headers: { Authorization: `Bearer ${adminToken.trim()}` },
        allowUnauthorized: true,
      });
      setAdminToken('');
      setCreated({ apiKey: res.apiKey, name: res.program.name });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setErrors({
          adminToken: 'Admin token not accepted. Use the ADMIN_TOKEN this server was started with.',
        });
      } else {
        setErrors(serverFieldErrors(err));
        setBanner(messageOf(err));
      }
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  async function signInWithKey() {
    if (!created) return;
    setBusy(true);
    try {
      await signIn(created.apiKey);
      setCreated(null);
      navigate('/tiers', { replace: true });
    } catch (err) {
      setBanner(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth-page">
      <div className="card narrow wide-ish">
        {banner ? <Banner kind="error">{banner}</Banner> : null}
        {created ? (
          <ApiKeyOnce
            apiKey={created.apiKey}
            programName={created.name}
            busy={busy}
            onSignIn={signInWithKey}
          />
        ) : (
          <>
            <h1>Create a program</h1>
            <p>
              One program is one shop's loyalty tiers. Creating one needs the admin token of this Tierpass
              server; it is sent once and not kept.
            </p>
            <form ref={formRef} onSubmit={submit} noValidate>
              <TextField
                label="Admin token"
                type="password"
                autoComplete="off"
                value={adminToken}
                onChange={(e) => setAdminToken(e.target.value)}
                error={errors.adminToken}
                hint="Printed by the server at start when ADMIN_TOKEN is not set."
              />
              <TextField
                label="Program name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                error={errors.name}
                hint="Usually your shop's name; shown on passes."
              />
              <SelectField
                label="Currency"
                value={currency}
                onChange={(e) => setCurrency(e.target.value)}
                error={errors.currency}
                hint="The currency of your orders."
              >
                {currencyOptions(currency).map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </SelectField>
              <SelectField
                label="Time zone"
                value={timezone}
                onChange={(e) => setTimezone(e.target.value)}
                error={errors.timezone}
                hint="Cycle boundaries fall at midnight here; month windows are calendar months here."
              >
                {timeZoneOptions(timezone).map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </SelectField>
              <TextField
                label="Points per currency unit"
                inputMode="decimal"
                value={pointsPerUnit}
                onChange={(e) => setPointsPerUnit(e.target.value)}
                error={errors['earning.pointsPerUnit'] ?? errors.earning}
                hint={`Base points per 1 ${currency} of net order value; fractions round down per order.`}
              />
              <RetentionFields draft={retention} onChange={setRetention} errors={errors} />
              <button type="submit" disabled={busy}>
                {busy ? 'Creating…' : 'Create program'}
              </button>
            </form>
            <p className="muted">
              Already have a program? <Link to="/sign-in">Sign in with its API key</Link>.
            </p>
          </>
        )}
      </div>
    </main>
  );
}
