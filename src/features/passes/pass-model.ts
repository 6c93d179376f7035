/**
 * Pure and browser-safe: the visible content of a customer's Apple and Google pass, decided
 * once. The real passes (pass-content.ts, google-content.ts), the server previews and the
 * console's live preview are all drawn from these models, so they cannot drift
 * (docs/decisions/0025-program-branding.md). No `node:*` imports, no Buffer: the console
 * imports this file.
 */
import type { PassDesign } from './pass-design-schemas.js';
import { EN } from './pass-strings.js';

/** Colours when neither the design nor the template sets one (`rgb(…)`, as pass.json wants). */
export const FALLBACK_COLORS = {
  foregroundColor: 'rgb(255, 255, 255)',
  backgroundColor: 'rgb(31, 41, 55)',
  labelColor: 'rgb(209, 213, 219)',
} as const;

/**
 * `override` over `base`, field by field: every field `override` sets wins; `labels` and `texts`
 * are merged per key. Used for template < program design < tier design.
 */
export function mergeDesign(base: PassDesign, override: PassDesign): PassDesign {
  const out: PassDesign = { ...base };
  for (const [key, value] of Object.entries(override) as [keyof PassDesign, unknown][]) {
    if (value === undefined || key === 'labels' || key === 'texts') continue;
    (out as Record<string, unknown>)[key] = value;
  }
  const labels = { ...base.labels, ...definedOnly(override.labels) };
  const texts = { ...base.texts, ...definedOnly(override.texts) };
  if (Object.keys(labels).length > 0) out.labels = labels;
  else delete out.labels;
  if (Object.keys(texts).length > 0) out.texts = texts;
  else delete out.texts;
  return out;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Everything a pass shows, already decided (hidden tiers: no name; design already merged). */
export interface PassModelInput {
  /** Program name: organisation name and default logo text. */
  programName: string;
  /** Member id shown and encoded in the QR code (the merchant's customer id). */
  memberId: string;
  /** Customer name on the front, when known. */
  memberName: string | null;
  /** Customer email, when known: Google's account name when there is no name. */
  memberEmail?: string | null;
  /** Current points balance. */
  points: number;
  /** Tier name on the pass; null for no tier or a hidden one. */
  tierName: string | null;
  /** Rewards of the customer's tier (back of the pass). */
  rewards: readonly string[];
  /** Progress headline per language ("1,250 points to Gold"); null at the top or without tiers. */
  progress: { en: string; fr: string } | null;
  /**
   * Cycle mode: what keeps the shown tier at the next boundary, the keep status headline the
   * API's `keep.headline` and the downgrade warning use ("$120.00 within 12 months by 1 Jul 2027
   * to keep Gold", "Gold is kept at the boundary on 1 Jul 2027"); absent otherwise.
   */
  keep?: string | null;
  /** The effective design: template < program design < tier design, merged with `mergeDesign`. */
  design: PassDesign;
  /** Colours of the template's pass.json, used where the design sets none. */
  defaults: { foregroundColor?: string; backgroundColor?: string; labelColor?: string };
}

/** One pass.json field. */
export interface PassField {
  /** Stable key (`tier`, `points`, `progress`, `member`, `rewards`, `memberId`, `about`…). */
  key: string;
  /** Label as shown (a design override, else the English default Wallet localises). */
  label: string;
  /** Value as shown (numbers are formatted by Wallet with `numberStyle`). */
  value: string | number;
  /** Set on the points field: Wallet formats the number. */
  numberStyle?: 'PKNumberStyleDecimal';
  /** Set on the points field: the lock-screen message when it changes. */
  changeMessage?: string;
}

/** The pass's QR code as pass.json's `barcodes[0]`. */
export interface AppleBarcode {
  /** Always a QR code. */
  format: 'PKBarcodeFormatQR';
  /** The encoded text: the member id. */
  message: string;
  /** Encoding Wallet uses for `message`. */
  messageEncoding: 'iso-8859-1';
  /** Text under the code. */
  altText: string;
}

/** The visible parts of an Apple storeCard pass.json. */
export interface ApplePassModel {
  /** pass.json `organizationName`. */
  organizationName: string;
  /** pass.json `description` (accessibility). */
  description: string;
  /** Text next to the logo. */
  logoText: string;
  /** Resolved `rgb(…)` colours (design, else template, else FALLBACK_COLORS). */
  foregroundColor: string;
  backgroundColor: string;
  labelColor: string;
  /** storeCard fields, in order. */
  headerFields: PassField[];
  primaryFields: PassField[];
  secondaryFields: PassField[];
  auxiliaryFields: PassField[];
  backFields: PassField[];
  /** The QR code. */
  barcode: AppleBarcode;
  /** Per-pass French translations (English text → French) added to fr.lproj/pass.strings. */
  translationsFr: Record<string, string>;
}

const bullets = (rewards: readonly string[]) => rewards.map((r) => `• ${r}`).join('\n');

/** The Apple pass's visible content. */
export function applePassModel(input: PassModelInput): ApplePassModel {
  const { design } = input;
  const labels = design.labels ?? {};
  const texts = design.texts ?? {};
  const header: PassField[] = [];
  if (input.tierName) header.push({ key: 'tier', label: labels.tier ?? EN.tier, value: input.tierName });
  const primary: PassField[] = [
    {
      key: 'points',
      label: labels.points ?? EN.points,
      value: input.points,
      numberStyle: 'PKNumberStyleDecimal',
      changeMessage: EN.pointsChange,
    },
  ];
  const secondary: PassField[] = [];
  const translationsFr: Record<string, string> = {};
  if (input.progress) {
    secondary.push({ key: 'progress', label: labels.progress ?? EN.progress, value: input.progress.en });
    translationsFr[input.progress.en] = input.progress.fr;
  } else if (input.tierName) {
    secondary.push({ key: 'progress', label: labels.progress ?? EN.progress, value: EN.topTier });
  }
  if (input.keep) secondary.push({ key: 'keep', label: EN.keep, value: input.keep });
  const auxiliary: PassField[] = [];
  if (input.memberName) {
    auxiliary.push({ key: 'member', label: labels.member ?? EN.member, value: input.memberName });
  }
  const back: PassField[] = [];
  if (input.rewards.length > 0) {
    back.push({ key: 'rewards', label: labels.rewards ?? EN.rewards, value: bullets(input.rewards) });
  }
  back.push({ key: 'memberId', label: EN.memberId, value: input.memberId });
  if (texts.about) back.push({ key: 'about', label: EN.about, value: texts.about });
  if (texts.terms) back.push({ key: 'terms', label: EN.terms, value: texts.terms });
  if (texts.contact) back.push({ key: 'contact', label: EN.contact, value: texts.contact });
  return {
    organizationName: input.programName,
    description: design.description ?? `${input.programName} membership card`,
    logoText: design.logoText ?? input.programName,
    foregroundColor: resolvedColor(design.foregroundColor, input.defaults.foregroundColor, 'foregroundColor'),
    backgroundColor: resolvedColor(design.backgroundColor, input.defaults.backgroundColor, 'backgroundColor'),
    labelColor: resolvedColor(design.labelColor, input.defaults.labelColor, 'labelColor'),
    headerFields: header,
    primaryFields: primary,
    secondaryFields: secondary,
    auxiliaryFields: auxiliary,
    backFields: back,
    barcode: {
      format: 'PKBarcodeFormatQR',
      message: input.memberId,
      messageEncoding: 'iso-8859-1',
      altText: input.memberId,
    },
    translationsFr,
  };
}

/** One Google text module (class or object `textModulesData` entry). */
export interface GoogleTextModule {
  /** Stable id (`progress`, `rewards`, `about`, `terms`, `contact`). */
  id: string;
  /** Heading. */
  header: string;
  /** Text. */
  body: string;
}

/** The visible parts of a Google loyalty class and object. */
export interface GooglePassModel {
  /** Class `issuerName`: the program. */
  issuerName: string;
  /** Class `programName`: the design's logo text, else the program name. */
  programName: string;
  /** Class `hexBackgroundColor` (`#rrggbb`), resolved like the Apple background. */
  hexBackgroundColor: string;
  /** Class `rewardsTierLabel`/`rewardsTier`; null without a shown tier. */
  rewardsTier: { label: string; value: string } | null;
  /** Class `accountIdLabel`; object `accountId`. */
  accountIdLabel: string;
  accountId: string;
  /**
   * Class `accountNameLabel`; object `accountName`: the customer's name, else their email,
   * else none (never the merchant's customer id, which `accountId` already shows).
   */
  accountNameLabel: string;
  accountName: string | null;
  /** Object `loyaltyPoints` (the balance may exceed 32 bits: google-content.ts decides how it is sent). */
  loyaltyPoints: { label: string; balance: number };
  /** Object `barcode`. */
  barcode: { type: 'QR_CODE'; value: string; alternateText: string };
  /** Object `textModulesData` (progress, keep, rewards), in order. */
  objectTextModules: GoogleTextModule[];
  /** Class `textModulesData` (about, terms, contact), in order. */
  classTextModules: GoogleTextModule[];
  /** All text modules as the pass details list them: the object's, then the class's. */
  textModules: GoogleTextModule[];
}

/** The Google pass's visible content (class and object parts). */
export function googlePassModel(input: PassModelInput): GooglePassModel {
  const { design } = input;
  const labels = design.labels ?? {};
  const texts = design.texts ?? {};
  const objectTextModules: GoogleTextModule[] = [];
  if (input.progress) {
    objectTextModules.push({
      id: 'progress',
      header: labels.progress ?? EN.progress,
      body: input.progress.en,
    });
  } else if (input.tierName) {
    objectTextModules.push({ id: 'progress', header: labels.progress ?? EN.progress, body: EN.topTier });
  }
  if (input.keep) objectTextModules.push({ id: 'keep', header: EN.keep, body: input.keep });
  if (input.rewards.length > 0) {
    objectTextModules.push({
      id: 'rewards',
      header: labels.rewards ?? EN.rewards,
      body: bullets(input.rewards),
    });
  }
  const classTextModules: GoogleTextModule[] = [];
  if (texts.about) classTextModules.push({ id: 'about', header: EN.about, body: texts.about });
  if (texts.terms) classTextModules.push({ id: 'terms', header: EN.terms, body: texts.terms });
  if (texts.contact) classTextModules.push({ id: 'contact', header: EN.contact, body: texts.contact });
  const background = resolvedColor(design.backgroundColor, input.defaults.backgroundColor, 'backgroundColor');
  return {
    issuerName: input.programName,
    programName: design.logoText ?? input.programName,
    hexBackgroundColor: hexColor(background) ?? '#1f2937',
    rewardsTier: input.tierName ? { label: labels.tier ?? EN.tier, value: input.tierName } : null,
    accountIdLabel: EN.memberId,
    accountId: input.memberId,
    accountNameLabel: labels.member ?? EN.member,
    accountName: input.memberName || input.memberEmail || null,
    loyaltyPoints: { label: labels.points ?? EN.points, balance: input.points },
    barcode: { type: 'QR_CODE', value: input.memberId, alternateText: input.memberId },
    objectTextModules,
    classTextModules,
    textModules: [...objectTextModules, ...classTextModules],
  };
}

const RGB = /^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$/i;

/** `{r,g,b}` of an `rgb(…)` or `#rgb`/`#rrggbb` colour; null for anything else. */
export function parseRgb(value: unknown): { r: number; g: number; b: number } | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(v)?.[1];
  if (hex) {
    const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
    const n = Number.parseInt(full, 16);
    return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255 };
  }
  const m = RGB.exec(v);
  if (!m) return null;
  const [r, g, b] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  return r <= 255 && g <= 255 && b <= 255 ? { r, g, b } : null;
}

/** `rgb(212, 175, 55)` (or `#d4af37`) → `#d4af37`; undefined for anything else. */
export function hexColor(color: string | undefined): string | undefined {
  const c = parseRgb(color);
  if (!c) return undefined;
  return `#${[c.r, c.g, c.b].map((p) => p.toString(16).padStart(2, '0')).join('')}`;
}

/** The design's colour, else the template's (when valid), else the fallback; always `rgb(…)`. */
function resolvedColor(
  design: string | undefined,
  template: string | undefined,
  which: keyof typeof FALLBACK_COLORS,
): string {
  for (const candidate of [design, template]) {
    const c = parseRgb(candidate);
    if (c) return `rgb(${c.r}, ${c.g}, ${c.b})`;
  }
  return FALLBACK_COLORS[which];
}

/** The template's colours from its pass.json (only string values; the model validates them). */
export function templateDefaults(passJson: Record<string, unknown>): PassModelInput['defaults'] {
  const out: PassModelInput['defaults'] = {};
  for (const key of ['foregroundColor', 'backgroundColor', 'labelColor'] as const) {
    const value = passJson[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}
