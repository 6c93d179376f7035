/**
 * A value to copy (a secret shown once): a read-only field that selects itself on focus, a copy
 * button, and an announced outcome (some browsers refuse clipboard access).
 */
import { type ReactNode, useId, useState } from 'react';

export function CopyValue({
  label,
  value,
  copyLabel,
  children,
}: {
  /** The field's label. */
  label: string;
  value: string;
  /** The copy button's text. */
  copyLabel: string;
  /** Further actions beside the copy button. */
  children?: ReactNode;
}) {
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  return (
    <>
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          className="key-box"
          readOnly
          value={value}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
        />
      </div>
      <div className="row actions">
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(value);
              setCopied('yes');
            } catch {
              setCopied('failed');
            }
          }}
        >
          {copyLabel}
        </button>
        {children}
      </div>
      <p role="status" className="muted">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'failed'
            ? `This browser did not allow copying: select the ${label.toLowerCase()} and copy it yourself.`
            : ''}
      </p>
    </>
  );
}
