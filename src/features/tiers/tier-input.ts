/** What the single-tier routes and PUT /v1/tiers share when they write a tier. */
import { randomBytes } from 'node:crypto';
import type { TierDesign, TierInput } from '../../store/port.js';

/** A fresh tier id. */
export function newTierId(): string {
  return `tier_${randomBytes(8).toString('hex')}`;
}

/** The stored fields of a tier (from a record or a tier set entry), with `design`. */
export function tierInputOf(t: Omit<TierInput, 'design'>, design: TierDesign): TierInput {
  return {
    title: t.title,
    icon: t.icon,
    visible: t.visible,
    enabled: t.enabled,
    qualifications: t.qualifications,
    maintain: t.maintain,
    benefits: t.benefits,
    design,
  };
}
