/** Pure: what a customer's pass says (pass.json, images, strings) from template, design and state. */
import { createHash } from 'node:crypto';
import type { PassBundle } from '../../integrations/apple/pass-signer.js';
import type { PassDesign } from './pass-design-schemas.js';
import { EN, passStrings } from './pass-strings.js';
import type { PassTemplate } from './pass-templates.js';

/** Everything a pass shows, already decided (hidden tiers: no name, default design). */
export interface PassContentInput {
  /** Program name: organisation and default logo text. */
  programName: string;
  /** Member id shown and encoded in the QR code (the merchant's customer id). */
  memberId: string;
  /** Customer name on the front, when known. */
  memberName: string | null;
  /** Current points balance. */
  points: number;
  /** Tier name on the pass; null for no tier or a hidden one. */
  tierName: string | null;
  /** Rewards of the customer's tier (back of the pass). */
  rewards: readonly string[];
  /** Progress headline per language ("1,250 points to Gold"); null at the top or without tiers. */
  progress: { en: string; fr: string } | null;
  /** Model merged from pass-templates/ for this tier. */
  template: PassTemplate;
  /** Merchant design of the tier ({} for hidden tiers). */
  design: PassDesign;
  /** Fixed identity of the pass. */
  serial: string;
  /** Token devices present to the web service. */
  authToken: string;
  /** `<PUBLIC_URL>/wallet/apple`. */
  webServiceURL: string;
  /** From the signer certificate's configuration. */
  passTypeIdentifier: string;
  /** Apple team id. */
  teamIdentifier: string;
}

type Field = Record<string, unknown> & { key: string; label?: string; value: string | number };

/** Template keys a pass never takes from a template: Tierpass owns identity and fields. */
const OWNED = ['serialNumber', 'authenticationToken', 'webServiceURL', 'barcodes', 'barcode', 'storeCard'];

function withoutOwned(json: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(json).filter(([k]) => !OWNED.includes(k)));
}

/** The pass contents and, for French, the translations of its per-pass texts. */
export function passContent(input: PassContentInput): PassBundle {
  const { design, template } = input;
  const labels = design.labels ?? {};
  const header: Field[] = [];
  if (input.tierName) header.push({ key: 'tier', label: labels.tier ?? EN.tier, value: input.tierName });
  const primary: Field[] = [
    {
      key: 'points',
      label: labels.points ?? EN.points,
      value: input.points,
      numberStyle: 'PKNumberStyleDecimal',
      changeMessage: EN.pointsChange,
    },
  ];
  const secondary: Field[] = [];
  const extraFr: Record<string, string> = {};
  if (input.progress) {
    secondary.push({ key: 'progress', label: labels.progress ?? EN.progress, value: input.progress.en });
    extraFr[input.progress.en] = input.progress.fr;
  } else if (input.tierName) {
    secondary.push({ key: 'progress', label: labels.progress ?? EN.progress, value: EN.topTier });
  }
  const auxiliary: Field[] = [];
  if (input.memberName)
    auxiliary.push({ key: 'member', label: labels.member ?? EN.member, value: input.memberName });
  const back: Field[] = [];
  if (input.rewards.length > 0) {
    back.push({
      key: 'rewards',
      label: labels.rewards ?? EN.rewards,
      value: input.rewards.map((r) => `• ${r}`).join('\n'),
    });
  }
  back.push({ key: 'memberId', label: EN.memberId, value: input.memberId });
  const texts = design.texts ?? {};
  if (texts.about) back.push({ key: 'about', label: EN.about, value: texts.about });
  if (texts.terms) back.push({ key: 'terms', label: EN.terms, value: texts.terms });
  if (texts.contact) back.push({ key: 'contact', label: EN.contact, value: texts.contact });

  const base = withoutOwned(template.passJson);
  const passJson: Record<string, unknown> = {
    ...base,
    formatVersion: 1,
    passTypeIdentifier: input.passTypeIdentifier,
    teamIdentifier: input.teamIdentifier,
    serialNumber: input.serial,
    authenticationToken: input.authToken,
    webServiceURL: input.webServiceURL,
    organizationName: input.programName,
    description: design.description ?? `${input.programName} membership card`,
    logoText: design.logoText ?? input.programName,
    ...(design.foregroundColor ? { foregroundColor: design.foregroundColor } : {}),
    ...(design.backgroundColor ? { backgroundColor: design.backgroundColor } : {}),
    ...(design.labelColor ? { labelColor: design.labelColor } : {}),
    barcodes: [
      {
        format: 'PKBarcodeFormatQR',
        message: input.memberId,
        messageEncoding: 'iso-8859-1',
        altText: input.memberId,
      },
    ],
    storeCard: {
      headerFields: header,
      primaryFields: primary,
      secondaryFields: secondary,
      auxiliaryFields: auxiliary,
      backFields: back,
    },
  };
  return { passJson, files: template.files, localizations: passStrings(extraFr) };
}

/**
 * The update tag: a hash of everything in the bundle (pass.json, strings, every image).
 * Any change of tier, balance, progress, design, artwork or template changes it; nothing else does.
 */
export function passUpdateTag(bundle: PassBundle): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(bundle.passJson))
    .update(JSON.stringify(bundle.localizations));
  for (const name of Object.keys(bundle.files).sort()) {
    hash.update(`\0${name}\0`).update(bundle.files[name] as Buffer);
  }
  return hash.digest('base64url').slice(0, 22);
}
