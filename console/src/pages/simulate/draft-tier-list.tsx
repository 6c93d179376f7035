/** The draft tiers, lowest first: pick one to edit, move it up or down, remove it, add one. */
import type { DraftEntry, DraftErrors } from './draft-set';

export function DraftTierList({
  entries,
  selected,
  errors,
  onSelect,
  onChange,
  onAdd,
}: {
  entries: DraftEntry[];
  /** Key of the tier being edited. */
  selected: string | null;
  errors: DraftErrors;
  onSelect(key: string): void;
  /** The new list after a move or a removal. */
  onChange(entries: DraftEntry[]): void;
  onAdd(): void;
}) {
  function move(from: number, to: number) {
    const next = [...entries];
    next.splice(to, 0, ...next.splice(from, 1));
    onChange(next);
  }
  return (
    <div className="draft-tiers">
      <h2>Draft tiers, lowest first</h2>
      <ol className="draft-tier-list">
        {entries.map((e, i) => {
          const title = e.draft.title.trim() || `Tier ${i + 1}`;
          const invalid = errors.byTier[e.key] !== undefined;
          return (
            <li
              key={e.key}
              className={`draft-tier${e.key === selected ? ' selected' : ''}${invalid ? ' invalid' : ''}`}
            >
              <button
                type="button"
                className="link-like"
                aria-pressed={e.key === selected}
                onClick={() => onSelect(e.key)}
              >
                {i + 1}. {title}
                {e.id === null ? <span className="pill">New</span> : null}
                {invalid ? <span className="pill error-pill">Needs a change</span> : null}
              </button>
              <span className="row draft-tier-actions">
                <button
                  type="button"
                  className="secondary"
                  disabled={i === 0}
                  aria-label={`Move ${title} lower`}
                  onClick={() => move(i, i - 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={i === entries.length - 1}
                  aria-label={`Move ${title} higher`}
                  onClick={() => move(i, i + 1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="danger"
                  disabled={entries.length === 1}
                  aria-label={`Remove ${title} from the draft`}
                  onClick={() => onChange(entries.filter((x) => x.key !== e.key))}
                >
                  Remove
                </button>
              </span>
            </li>
          );
        })}
      </ol>
      <button type="button" className="secondary" onClick={onAdd}>
        Add a draft tier
      </button>
    </div>
  );
}
