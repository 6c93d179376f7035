/**
 * Adjust points and redeem a reward (POST /v1/customers/:id/points and …/redemptions). Checked
 * with the server's own schemas first; each submission carries one Idempotency-Key, made when it
 * is first sent and kept until it succeeds or the input changes, so a double click or a retry
 * after a lost answer applies it once. A refused redemption (422) is said at the form.
 */
import { type FormEvent, useRef, useState } from 'react';
import type { z } from 'zod';
import { pointsBody, redemptionBody } from '../../../../src/features/ledger/ledger-schemas.js';
import { ApiError, api, messageOf } from '../../api/client';
import { Banner, TextField } from '../../components/form-controls';

/** 128 random bits as hex: getRandomValues works on plain http too (randomUUID needs https). */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

interface FormSpec<S extends z.ZodType> {
  /** Form heading, also its accessible name. */
  title: string;
  /** API path under the customer. */
  path: 'points' | 'redemptions';
  schema: S;
  /** Labels of the two fields: points, then the text. */
  labels: [string, string];
  /** Body key of the text field. */
  textKey: 'reason' | 'reward';
  hints: [string, string];
  submit: string;
  /** "Added 50 points" after success. */
  done(points: number): string;
}

const FORMS = {
  adjust: {
    title: 'Adjust points',
    path: 'points',
    schema: pointsBody,
    labels: ['Points to add or remove', 'Reason'],
    textKey: 'reason',
    hints: [
      'A negative number removes points, e.g. -200.',
      'Shown in the ledger, e.g. "Goodwill for late delivery".',
    ],
    submit: 'Apply adjustment',
    done: (p: number) => `${p > 0 ? 'Added' : 'Removed'} ${Math.abs(p).toLocaleString('en-US')} points.`,
  },
  redeem: {
    title: 'Redeem a reward',
    path: 'redemptions',
    schema: redemptionBody,
    labels: ['Points to redeem', 'Reward'],
    textKey: 'reward',
    hints: ['Taken from the spendable balance.', 'e.g. "$10 voucher".'],
    submit: 'Redeem',
    done: (p: number) => `Redeemed ${p.toLocaleString('en-US')} points.`,
  },
} as const satisfies Record<string, FormSpec<z.ZodType>>;

export function PointsForm({
  kind,
  customerId,
  onApplied,
}: {
  kind: keyof typeof FORMS;
  customerId: string;
  /** Called after the change was applied (or replayed), to reload balances and the ledger. */
  onApplied(): void;
}) {
  const spec = FORMS[kind];
  const [points, setPoints] = useState('');
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [sending, setSending] = useState(false);
  const key = useRef<string | null>(null);

  function edit(set: (v: string) => void, value: string) {
    set(value);
    key.current = null; // another input is another submission
    setMessage(null);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (sending) return;
    const raw = { points: points.trim() === '' ? Number.NaN : Number(points), [spec.textKey]: text };
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      const out: Record<string, string> = {};
      for (const issue of parsed.error.issues) out[String(issue.path[0] ?? '')] ??= issue.message;
      setErrors(out);
      setMessage(null);
      return;
    }
    setErrors({});
    key.current ??= newKey();
    setSending(true);
    try {
      await api('POST', `/v1/customers/${encodeURIComponent(customerId)}/${spec.path}`, {
        body: parsed.data,
        headers: { 'Idempotency-Key': key.current },
      });
      key.current = null;
      setMessage({ kind: 'success', text: spec.done(parsed.data.points) });
      setPoints('');
      setText('');
      onApplied();
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) setErrors(err.fieldErrors());
      const refused = err instanceof ApiError && err.code === 'insufficient_points';
      setMessage({ kind: 'error', text: refused ? `Not enough points. ${messageOf(err)}.` : messageOf(err) });
    } finally {
      setSending(false);
    }
  }

  const id = `${kind}-form-title`;
  return (
    <form className="card points-form" aria-labelledby={id} onSubmit={submit} noValidate>
      <h2 id={id}>{spec.title}</h2>
      <TextField
        label={spec.labels[0]}
        inputMode="numeric"
        value={points}
        error={errors.points}
        hint={spec.hints[0]}
        onChange={(e) => edit(setPoints, e.target.value)}
      />
      <TextField
        label={spec.labels[1]}
        value={text}
        error={errors[spec.textKey]}
        hint={spec.hints[1]}
        onChange={(e) => edit(setText, e.target.value)}
      />
      {message ? <Banner kind={message.kind}>{message.text}</Banner> : null}
      <button type="submit" disabled={sending}>
        {sending ? 'Sending…' : spec.submit}
      </button>
    </form>
  );
}
