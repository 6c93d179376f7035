/**
 * The tiers, lowest first, reorderable by pointer (drag the handle) and by keyboard (focus the
 * handle, Space, arrows, Space; Escape cancels), with screen-reader announcements by title.
 */
import {
  type Announcements,
  closestCenter,
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, verticalListSortingStrategy } from '@dnd-kit/sortable';
import type { Tier } from '../../api/types';
import { TierRow } from './tier-row';

export function SortableTierList({
  tiers,
  currency,
  onReorder,
}: {
  tiers: Tier[];
  currency: string;
  /** The ids, lowest first, after a drop that moved something. */
  onReorder(ids: string[]): void;
}) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const title = (id: unknown) => tiers.find((t) => t.id === id)?.title ?? String(id);
  const position = (id: unknown) => tiers.findIndex((t) => t.id === id) + 1;
  const announcements: Announcements = {
    onDragStart: ({ active }) =>
      `Picked up ${title(active.id)}, position ${position(active.id)} of ${tiers.length}.`,
    onDragOver: ({ active, over }) =>
      over ? `${title(active.id)} moved to position ${position(over.id)} of ${tiers.length}.` : undefined,
    onDragEnd: ({ active, over }) =>
      over
        ? `${title(active.id)} dropped at position ${position(over.id)} of ${tiers.length}.`
        : `${title(active.id)} dropped.`,
    onDragCancel: ({ active }) => `Reordering cancelled; ${title(active.id)} is back where it was.`,
  };

  function end({ active, over }: DragEndEvent) {
    if (!over || active.id === over.id) return;
    const ids = tiers.map((t) => t.id);
    const from = ids.indexOf(String(active.id));
    const to = ids.indexOf(String(over.id));
    ids.splice(to, 0, ...ids.splice(from, 1));
    onReorder(ids);
  }

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={end}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable:
            'To reorder a tier, press Space on its handle, move it with the up and down arrow keys, and press Space again to drop it. Escape cancels.',
        },
      }}
    >
      <SortableContext items={tiers.map((t) => t.id)} strategy={verticalListSortingStrategy}>
        <ol className="tier-list" aria-label="Tiers, lowest first">
          {tiers.map((t, i) => (
            <TierRow key={t.id} tier={t} position={i + 1} currency={currency} />
          ))}
        </ol>
      </SortableContext>
    </DndContext>
  );
}
