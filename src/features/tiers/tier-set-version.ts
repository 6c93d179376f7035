/**
 * The version of a program's live tier set: a digest of every field that decides placement,
 * benefits or passes, in rank order. A draft carries the version it was made on; PUT /v1/tiers
 * refuses it once the set changed (decision 0031). A digest of content rather than a counter or
 * `updatedAt`: test programs freeze their clock, so two edits can share a timestamp.
 */
import { createHash } from 'node:crypto';
import type { TierRecord } from '../../store/port.js';

export function tierSetVersion(tiers: readonly TierRecord[]): string {
  const content = tiers.map((t) => [
    t.id,
    t.rank,
    t.title,
    t.icon,
    t.visible,
    t.enabled,
    t.qualifications,
    t.maintain,
    t.benefits,
    t.design,
  ]);
  return createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 22);
}
