/**
 * The live preview's content: the pass sample from the server (GET …/pass-sample) with the
 * draft merged over the inherited design, drawn by the server's own pass model and face SVG
 * functions. Nothing here decides what a pass shows; it only feeds those functions.
 */
import { SLOTS, type Slot } from '../../../../src/features/artwork/artwork-slots.js';
import type { PassDesign } from '../../../../src/features/passes/pass-design-schemas.js';
import {
  appleFaceSvg,
  type FaceImages,
  googleFaceSvg,
} from '../../../../src/features/passes/pass-face-svg.js';
import {
  type ApplePassModel,
  applePassModel,
  googlePassModel,
  mergeDesign,
  type PassField,
  type PassModelInput,
} from '../../../../src/features/passes/pass-model.js';
import { type Draft, draftOf } from './design-draft';

/** GET /v1/tiers/{id}/pass-sample and GET /v1/program/pass-sample. */
export interface PassSample {
  /** The model input of the sample customer, with the effective (saved) design. */
  input: PassModelInput;
  /** What this design inherits (template < program default, for a tier). */
  baseDesign: PassDesign;
  /** This design's own saved fields. */
  ownDesign: PassDesign;
  /** Effective artwork, same-origin URLs (null: none): tier > program > template. */
  images: Record<Slot | 'googleLogo', string | null>;
  /** The customer shown, or null for the built-in sample. */
  customerId: string | null;
}

export interface Faces {
  appleSvg: string;
  googleSvg: string;
  appleLabel: string;
  googleLabel: string;
}

function withVersion(url: string, version: number): string {
  return version === 0 ? url : `${url}${url.includes('?') ? '&' : '?'}v=${version}`;
}

function frontFields(model: ApplePassModel): PassField[] {
  return [...model.headerFields, ...model.primaryFields, ...model.secondaryFields, ...model.auxiliaryFields];
}

/** Both faces for the draft (already validated: `design` holds only the fields that pass the schema). */
export function renderFaces(sample: PassSample, design: PassDesign, imageVersion: number): Faces {
  const input: PassModelInput = { ...sample.input, design: mergeDesign(sample.baseDesign, design) };
  const images: FaceImages = {};
  for (const slot of [...SLOTS, 'googleLogo'] as const) {
    const url = sample.images[slot];
    if (url) images[slot] = withVersion(url, imageVersion);
  }
  const apple = applePassModel(input);
  const google = googlePassModel(input);
  const fields = frontFields(apple)
    .map((f) => `${f.label} ${typeof f.value === 'number' ? f.value.toLocaleString('en-US') : f.value}`)
    .join(', ');
  return {
    appleSvg: appleFaceSvg(apple, images),
    googleSvg: googleFaceSvg(google, images),
    appleLabel: `Apple Wallet pass preview: ${apple.logoText}; ${fields}; QR code for ${apple.barcode.message}`,
    googleLabel: `Google Wallet pass preview: ${google.programName}; ${google.loyaltyPoints.label} ${google.loyaltyPoints.balance.toLocaleString('en-US')}; QR code for ${google.barcode.value}`,
  };
}

/**
 * What each field shows when the merchant leaves it empty: the inherited design's value, else
 * what the pass model puts there (template colours, Wallet's default labels, the program name).
 */
export function inheritedDraft(sample: PassSample): Draft {
  const out = draftOf(sample.baseDesign);
  const model = applePassModel({ ...sample.input, design: sample.baseDesign });
  const all = [...frontFields(model), ...model.backFields];
  const byKey = (key: string) => all.find((f) => f.key === key);
  out.backgroundColor ||= model.backgroundColor;
  out.foregroundColor ||= model.foregroundColor;
  out.labelColor ||= model.labelColor;
  out.logoText ||= model.logoText;
  out.description ||= model.description;
  for (const key of ['tier', 'points', 'progress', 'rewards', 'member'] as const) {
    out[`labels.${key}`] ||= byKey(key)?.label ?? '';
  }
  return out;
}
