/**
 * Rotate a subscription's signing secret (POST /v1/webhooks/{id}/rotate-secret): choose how long
 * the previous secret keeps signing beside the new one, then the new secret is shown once with a
 * copy control, as at subscribe time (docs/decisions/0041).
 */
import { useState } from 'react';
import { api, messageOf } from '../../api/client';
import { useSession } from '../../api/session';
import { CopyValue } from '../../components/copy-value';
import { Banner, SelectField } from '../../components/form-controls';
import { formatInstant } from '../../format/instants';
import type { CreatedSubscription, Subscription } from './webhook-types';

/** Overlaps offered (hours; the API takes any whole number up to 168). */
const OVERLAPS: { hours: number; label: string }[] = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '24 hours (default)' },
  { hours: 72, label: '3 days' },
  { hours: 168, label: '7 days' },
  { hours: 0, label: 'None: the old secret stops at once' },
];

export function RotateSecret({ sub, onRotated }: { sub: Subscription; onRotated(s: Subscription): void }) {
  const { program } = useSession();
  const [open, setOpen] = useState(false);
  const [overlapHours, setOverlapHours] = useState(24);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedSubscription | null>(null);
  const path = `/v1/webhooks/${encodeURIComponent(sub.id)}/rotate-secret`;

  async function rotate() {
    setBusy(true);
    setError(null);
    try {
      const result = await api<CreatedSubscription>('POST', path, { body: { overlapHours } });
      const { secret: _secret, ...rest } = result;
      setCreated(result);
      setOpen(false);
      onRotated(rest);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  if (created) {
    return (
      <section className="card secret-once" aria-labelledby="rotated-title">
        <h2 id="rotated-title">New signing secret: store it</h2>
        <Banner kind="info">
          <strong>Copy the new signing secret now: it will not be shown again.</strong>{' '}
          {created.previousSecretExpiresAt
            ? `Until ${formatInstant(created.previousSecretExpiresAt, program?.timezone)} every event carries a signature with the old and the new secret (two v1= values), so your endpoint keeps working while you switch it.`
            : 'Events are signed with the new secret only from now on.'}
        </Banner>
        <CopyValue label="New signing secret" value={created.secret} copyLabel="Copy new signing secret">
          <button type="button" onClick={() => setCreated(null)}>
            I have stored it
          </button>
        </CopyValue>
      </section>
    );
  }
  if (!open) {
    return (
      <div className="row">
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          Rotate secret
        </button>
      </div>
    );
  }
  return (
    <section className="card" aria-labelledby="rotate-title">
      <h2 id="rotate-title">Rotate the signing secret</h2>
      <p>
        A new secret replaces the current one. During the overlap each event is signed with both, so update
        your endpoint at any time within it.
      </p>
      <SelectField
        label="Overlap"
        value={String(overlapHours)}
        onChange={(e) => setOverlapHours(Number(e.currentTarget.value))}
        hint="How long the old secret keeps signing beside the new one (program time)."
      >
        {OVERLAPS.map((o) => (
          <option key={o.hours} value={o.hours}>
            {o.label}
          </option>
        ))}
      </SelectField>
      {error ? <Banner kind="error">{error}</Banner> : null}
      <div className="row actions">
        <button type="button" disabled={busy} onClick={rotate}>
          {busy ? 'Rotating…' : 'Rotate secret now'}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </section>
  );
}
