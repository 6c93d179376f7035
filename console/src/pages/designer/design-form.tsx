/**
 * The design's fields: colours (picker + text), logo text, description, field labels and back
 * texts. Each field shows what applies when it is left empty (the inherited value as
 * placeholder) and, when set, a button to go back to it.
 */
import { useId } from 'react';
import { COLOR_FIELDS, type DesignField, type Draft, toHex } from './design-draft';

export const FIELD_LABELS: Record<DesignField, string> = {
  backgroundColor: 'Background colour',
  foregroundColor: 'Text colour',
  labelColor: 'Label colour',
  logoText: 'Logo text',
  description: 'Description (read by VoiceOver)',
  'labels.tier': 'Tier label',
  'labels.points': 'Points label',
  'labels.progress': 'Progress label',
  'labels.rewards': 'Rewards label',
  'labels.member': 'Member label',
  'texts.about': 'About (back of the pass)',
  'texts.terms': 'Terms (back of the pass)',
  'texts.contact': 'Contact (back of the pass)',
};

const LONG: ReadonlySet<DesignField> = new Set(['texts.about', 'texts.terms', 'texts.contact']);

export interface DesignFormProps {
  draft: Draft;
  /** The value each field takes when left empty (program default, template, or Wallet's own label). */
  inherited: Draft;
  /** Where inherited values come from, e.g. "program default" or "template". */
  inheritedFrom: string;
  /** Errors by field: the schema's while typing, the server's after saving. */
  errors: Partial<Record<DesignField, string>>;
  onChange(field: DesignField, value: string): void;
}

function DesignInput({
  field,
  value,
  inherited,
  inheritedFrom,
  error,
  onChange,
}: {
  field: DesignField;
  value: string;
  inherited: string;
  inheritedFrom: string;
  error: string | undefined;
  onChange(value: string): void;
}) {
  const id = useId();
  const label = FIELD_LABELS[field];
  const isColor = (COLOR_FIELDS as readonly string[]).includes(field);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hintId, error ? errorId : null].filter(Boolean).join(' ');
  const common = {
    id,
    name: field,
    value,
    placeholder: inherited,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    'data-field': field,
  } as const;
  return (
    <div className={`field design-field${error ? ' has-error' : ''}${value === '' ? ' inherited' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="design-input-row">
        {isColor ? (
          <input
            type="color"
            className="color-swatch"
            aria-label={`${label} picker`}
            value={toHex(value) ?? toHex(inherited) ?? '#000000'}
            onChange={(e) => onChange(e.target.value)}
          />
        ) : null}
        {LONG.has(field) ? (
          <textarea {...common} rows={3} onChange={(e) => onChange(e.target.value)} />
        ) : (
          <input {...common} type="text" autoComplete="off" onChange={(e) => onChange(e.target.value)} />
        )}
      </div>
      <div className="hint" id={hintId}>
        {value === '' ? (
          inherited ? (
            <>Inherited from the {inheritedFrom}.</>
          ) : (
            <>Not set: Wallet's default applies.</>
          )
        ) : (
          <>
            Set here.{' '}
            <button type="button" className="link-button" onClick={() => onChange('')}>
              Reset {label.toLowerCase().replace(/ \(.*\)$/, '')} to {inheritedFrom}
            </button>
          </>
        )}
      </div>
      {error ? (
        <div className="error" id={errorId} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

const GROUPS: { title: string; fields: DesignField[] }[] = [
  { title: 'Colours', fields: ['backgroundColor', 'foregroundColor', 'labelColor'] },
  { title: 'Front', fields: ['logoText', 'description'] },
  {
    title: 'Field labels',
    fields: ['labels.tier', 'labels.points', 'labels.progress', 'labels.rewards', 'labels.member'],
  },
  { title: 'Back of the pass', fields: ['texts.about', 'texts.terms', 'texts.contact'] },
];

export function DesignForm({ draft, inherited, inheritedFrom, errors, onChange }: DesignFormProps) {
  return (
    <>
      {GROUPS.map((g) => (
        <fieldset key={g.title} className="design-group">
          <legend>{g.title}</legend>
          {g.fields.map((f) => (
            <DesignInput
              key={f}
              field={f}
              value={draft[f]}
              inherited={inherited[f]}
              inheritedFrom={inheritedFrom}
              error={errors[f]}
              onChange={(v) => onChange(f, v)}
            />
          ))}
        </fieldset>
      ))}
    </>
  );
}
