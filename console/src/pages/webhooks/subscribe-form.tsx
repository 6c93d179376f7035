/**
 * Subscribe a URL: events by checkbox from the server's list, body format. Checked with the
 * server's own `subscribeBody` before sending; the server's URL and event refusals land at the
 * same fields (decision 0028).
 */
import { type FormEvent, useRef, useState } from 'react';
import { subscribeBody } from '../../../../src/features/webhooks/webhook-schemas.js';
import { ApiError, api, messageOf } from '../../api/client';
import { type FieldErrors, serverFieldErrors, zodFieldErrors } from '../../api/field-errors';
import { Banner, CheckboxField, SelectField, TextField } from '../../components/form-controls';
import { EVENT_HINTS, WEBHOOK_EVENT_TYPES } from './event-labels';
import type { CreatedSubscription } from './webhook-types';

/** The service's refusals of a URL (webhook-service.ts), shown at the URL field. */
const URL_CODES = ['invalid_webhook_url', 'webhook_url_not_allowed', 'webhook_url_unresolvable'];

function errorsOf(err: unknown): FieldErrors {
  if (err instanceof ApiError && URL_CODES.includes(err.code)) return { url: err.message };
  if (err instanceof ApiError && err.code === 'unknown_webhook_event') return { events: err.message };
  return serverFieldErrors(err);
}

export function SubscribeForm({ onCreated }: { onCreated(created: CreatedSubscription): void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [format, setFormat] = useState<'standard' | 'klaviyo'>('standard');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const focusFirstError = () =>
    requestAnimationFrame(() =>
      // The URL field, or the first event checkbox when the events are in error.
      formRef.current
        ?.querySelector<HTMLElement>('input[aria-invalid="true"], fieldset[aria-invalid="true"] input')
        ?.focus(),
    );

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBanner(null);
    const body = { url: url.trim(), events, format };
    const parsed = subscribeBody.safeParse(body);
    if (!parsed.success) {
      setErrors(zodFieldErrors(parsed.error));
      focusFirstError();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const created = await api<CreatedSubscription>('POST', '/v1/webhooks', { body });
      setUrl('');
      setEvents([]);
      setFormat('standard');
      onCreated(created);
    } catch (err) {
      setErrors(errorsOf(err));
      setBanner(`The webhook was not added: ${messageOf(err)}`);
      focusFirstError();
    } finally {
      setBusy(false);
    }
  }

  const eventsError = errors.events ?? Object.entries(errors).find(([k]) => k.startsWith('events.'))?.[1];
  return (
    <form ref={formRef} onSubmit={submit} noValidate className="card webhook-form">
      <h2>Add a webhook</h2>
      {banner ? <Banner kind="error">{banner}</Banner> : null}
      <TextField
        label="Endpoint URL"
        type="url"
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        value={url}
        error={errors.url}
        hint="An https URL of your shop, Shopify Flow or marketing tool. Private and loopback addresses are refused."
        onChange={(e) => setUrl(e.target.value)}
      />
      <fieldset className="group" aria-invalid={eventsError ? true : undefined}>
        <legend>Events</legend>
        {WEBHOOK_EVENT_TYPES.map((type) => (
          <CheckboxField
            key={type}
            label={type}
            hint={EVENT_HINTS[type]}
            checked={events.includes(type)}
            onChange={(e) =>
              setEvents(e.target.checked ? [...events, type] : events.filter((x) => x !== type))
            }
          />
        ))}
        {eventsError ? (
          <p className="error" role="alert">
            {eventsError}
          </p>
        ) : null}
      </fieldset>
      <SelectField
        label="Body format"
        value={format}
        error={errors.format}
        hint="Standard: { id, type, createdAt, data }. Klaviyo: the body of Klaviyo’s Create Event API, for a relay that adds your Klaviyo key."
        onChange={(e) => setFormat(e.target.value === 'klaviyo' ? 'klaviyo' : 'standard')}
      >
        <option value="standard">Standard</option>
        <option value="klaviyo">Klaviyo</option>
      </SelectField>
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Add webhook'}
      </button>
    </form>
  );
}
