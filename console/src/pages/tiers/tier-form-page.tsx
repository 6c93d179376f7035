/**
 * Create (no tierId) or edit a saved tier with the tier fields (tier-fields.tsx, also used for
 * draft tiers by the simulation page). Validated with the server's `createTierBody`/`updateTierBody` before
 * sending; the server's own field errors land at the same controls.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { createTierBody, updateTierBody } from '../../../../src/features/tiers/tier-schemas.js';
import { api, messageOf } from '../../api/client';
import { type FieldErrors, serverFieldErrors, zodFieldErrors } from '../../api/field-errors';
import { useSession } from '../../api/session';
import type { Tier } from '../../api/types';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Banner } from '../../components/form-controls';
import { Link, navigate } from '../../router';
import { emptyTierDraft, type TierDraft, tierBody, tierDraft } from './tier-draft';
import { TierFields } from './tier-fields';

export function TierFormPage({ tierId }: { tierId: string | null }) {
  const { program } = useSession();
  const currency = program?.currency ?? 'USD';
  const [draft, setDraft] = useState<TierDraft | null>(tierId ? null : emptyTierDraft());
  const [savedTitle, setSavedTitle] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (!tierId) return;
    const ctl = new AbortController();
    api<Tier>('GET', `/v1/tiers/${encodeURIComponent(tierId)}`, { signal: ctl.signal }).then(
      (t) => {
        setDraft(tierDraft(t, currency));
        setSavedTitle(t.title);
      },
      (err) => {
        if (!ctl.signal.aborted) setBanner(messageOf(err));
      },
    );
    return () => ctl.abort();
  }, [tierId, currency]);

  // After a refused submit, take keyboard and screen-reader users to the first field in error.
  useEffect(() => {
    if (attempt === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [attempt]);

  if (!draft) {
    return (
      <section>
        <h1>Edit tier</h1>
        {banner ? <Banner kind="error">{banner}</Banner> : <p role="status">Loading…</p>}
      </section>
    );
  }
  const set = (patch: Partial<TierDraft>) => setDraft({ ...draft, ...patch });

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    setBanner(null);
    const { body, errors: amountErrors } = tierBody(draft, currency);
    const parsed = (tierId ? updateTierBody : createTierBody).safeParse(body);
    const found = { ...(parsed.success ? {} : zodFieldErrors(parsed.error)), ...amountErrors };
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setBanner('Some fields need a change before the tier can be saved.');
      setAttempt((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      if (tierId) await api('PATCH', `/v1/tiers/${encodeURIComponent(tierId)}`, { body });
      else await api('POST', '/v1/tiers', { body });
      navigate('/tiers');
    } catch (err) {
      setErrors(serverFieldErrors(err));
      setBanner(messageOf(err));
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!tierId) return;
    setBusy(true);
    try {
      await api('DELETE', `/v1/tiers/${encodeURIComponent(tierId)}`);
      setConfirming(false);
      navigate('/tiers');
    } catch (err) {
      setConfirming(false);
      setBanner(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="tier-form">
      <p>
        <Link to="/tiers">← All tiers</Link>
      </p>
      <h1>{tierId ? `Edit ${savedTitle}` : 'New tier'}</h1>
      {banner ? <Banner kind="error">{banner}</Banner> : null}
      <form ref={formRef} onSubmit={submit} noValidate>
        <TierFields draft={draft} currency={currency} errors={errors} onChange={set} />

        <div className="row actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : tierId ? 'Save tier' : 'Create tier'}
          </button>
          {tierId ? (
            <>
              <Link to={`/design/${encodeURIComponent(tierId)}`} className="button secondary">
                Design its pass
              </Link>
              <button type="button" className="danger" onClick={() => setConfirming(true)}>
                Delete tier
              </button>
            </>
          ) : null}
        </div>
        <p className="hint">
          Saving changes who qualifies: every customer is resynced 5 minutes after the last change.
        </p>
      </form>
      <ConfirmDialog
        open={confirming}
        title={`Delete ${savedTitle}?`}
        confirmLabel="Delete tier"
        busy={busy}
        onConfirm={remove}
        onCancel={() => setConfirming(false)}
      >
        <p>
          Its members are reassigned at once to the highest remaining tier they qualify for, and their passes
          are updated. This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}
