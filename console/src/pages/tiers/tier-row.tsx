/** One tier in the ordered list: drag handle, title, visibility, enabled, member rule, links. */
import { useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import type { Tier } from '../../api/types';
import { Link } from '../../router';
import { ruleSummary } from './rule-summary';

export function TierRow({ tier, position, currency }: { tier: Tier; position: number; currency: string }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } =
    useSortable({
      id: tier.id,
    });
  return (
    <li
      ref={setNodeRef}
      className={`tier-row${isDragging ? ' dragging' : ''}`}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      data-tier-id={tier.id}
    >
      <button
        type="button"
        className="drag-handle secondary"
        ref={setActivatorNodeRef}
        {...attributes}
        {...listeners}
        aria-label={`Reorder ${tier.title}`}
      >
        <span aria-hidden="true">⠿</span>
      </button>
      <div className="tier-main">
        <h2 className="tier-title">
          <span className="rank">{position}.</span> {tier.title}
        </h2>
        <p className="tier-flags">
          <span className={`pill${tier.enabled ? '' : ' off'}`}>{tier.enabled ? 'Enabled' : 'Disabled'}</span>
          <span className={`pill${tier.visible ? '' : ' off'}`}>{tier.visible ? 'Visible' : 'Hidden'}</span>
        </p>
        <p className="tier-rule">{ruleSummary(tier.qualifications, currency)}</p>
      </div>
      <div className="tier-links">
        <Link to={`/tiers/${encodeURIComponent(tier.id)}`} aria-label={`Edit ${tier.title}`}>
          Edit
        </Link>
        <Link to={`/design/${encodeURIComponent(tier.id)}`} aria-label={`Pass design of ${tier.title}`}>
          Pass design
        </Link>
      </div>
    </li>
  );
}
