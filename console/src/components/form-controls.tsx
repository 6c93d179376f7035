/** Labelled form controls with their server or schema error shown at the field. */
import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from 'react';

interface FieldProps {
  /** Visible label (also the accessible name). */
  label: string;
  /** Error message shown under the control (and announced), if any. */
  error?: string;
  /** Help text under the control. */
  hint?: ReactNode;
}

/** Ids and ARIA wiring of one labelled control. */
interface ControlIds {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** Label, hint and error around one control, which `render` draws with the ids it is given. */
function LabelledField({ label, error, hint, render }: FieldProps & { render(ids: ControlIds): ReactNode }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {render({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') || undefined,
      })}
      {hint ? (
        <div className="hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="error" id={errorId} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** A text/number input with label, hint and error. */
export function TextField({
  label,
  error,
  hint,
  ...input
}: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <LabelledField label={label} error={error} hint={hint} render={(ids) => <input {...ids} {...input} />} />
  );
}

/** A select with label, hint and error. */
export function SelectField({
  label,
  error,
  hint,
  children,
  ...select
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <LabelledField
      label={label}
      error={error}
      hint={hint}
      render={(ids) => (
        <select {...ids} {...select}>
          {children}
        </select>
      )}
    />
  );
}

/** A checkbox with its label to the right. */
export function CheckboxField({
  label,
  hint,
  ...input
}: { label: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field checkbox">
      <input id={id} type="checkbox" aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}

/** A page-level message: `error` is announced to screen readers. */
export function Banner({ kind, children }: { kind: 'error' | 'info' | 'success'; children: ReactNode }) {
  return (
    <div className={`banner ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
