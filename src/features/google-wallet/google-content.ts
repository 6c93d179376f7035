/**
 * Pure: Google Wallet ids and resource bodies (loyalty class per tier, loyalty object per
 * customer, tier-change messages). See docs/decisions/0012-google-wallet.md.
 */
import { createHash } from 'node:crypto';
import type { WalletBody, WalletMessage } from '../../integrations/google/wallet-client.js';
import type { PassDesign } from '../passes/pass-design-schemas.js';
import { EN } from '../passes/pass-strings.js';

/**
 * One part of an id in Google's alphabet (letters, digits, `.`, `_`, `-`), injective:
 * letters, digits and `-` stay; every other byte becomes `_xx` (hex), so `_` only ever starts
 * an escape and `.` never appears. Parts longer than 64 characters become `_h` + a SHA-256 prefix.
 */
export function idPart(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9-]/.test(c) ? c : `_${byte.toString(16).padStart(2, '0')}`;
  }
  if (out.length <= 64) return out;
  return `_h${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}

/** `<issuerId>.<program>.tier.<tier>`, or `<issuerId>.<program>.default` for no / hidden tier. */
export function classIdOf(issuerId: string, programId: string, tierId: string | null): string {
  const program = `${issuerId}.${idPart(programId)}`;
  return tierId === null ? `${program}.default` : `${program}.tier.${idPart(tierId)}`;
}

/** `<issuerId>.<program>.member.<customer>`: fixed for the customer's life. */
export function objectIdOf(issuerId: string, programId: string, customerId: string): string {
  return `${issuerId}.${idPart(programId)}.member.${idPart(customerId)}`;
}

/** `rgb(212, 175, 55)` → `#d4af37`; undefined for anything else. */
export function hexColor(rgb: string | undefined): string | undefined {
  const m = rgb ? /^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$/i.exec(rgb) : null;
  if (!m) return undefined;
  return `#${[m[1], m[2], m[3]].map((p) => Number(p).toString(16).padStart(2, '0')).join('')}`;
}

/** Stable hash of a body: what was last sent is compared with what would be sent now. */
export function bodyHash(body: WalletBody): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 22);
}

const image = (uri: string, description: string) => ({
  sourceUri: { uri },
  contentDescription: { defaultValue: { language: 'en-US', value: description } },
});

/** What a class shows: the program and one tier's design (or the program default). */
export interface ClassInput {
  classId: string;
  programName: string;
  /** Visible tier of the class; null for the program's default class. */
  tierTitle: string | null;
  /** The tier's design ({} for the default class). */
  design: PassDesign;
  /** Background colour when the design sets none (the pass template's), `rgb(…)`. */
  fallbackBackground: string | undefined;
  /** Public URL of the program logo (required by Google). */
  logoUrl: string;
  /** Public URL of the tier's hero image, when uploaded. */
  heroUrl: string | null;
}

/** A loyaltyClass body (insert and patch send the same). */
export function loyaltyClassBody(input: ClassInput): WalletBody & { id: string } {
  const { design } = input;
  const labels = design.labels ?? {};
  const texts = design.texts ?? {};
  const modules = [
    texts.about ? { id: 'about', header: EN.about, body: texts.about } : null,
    texts.terms ? { id: 'terms', header: EN.terms, body: texts.terms } : null,
    texts.contact ? { id: 'contact', header: EN.contact, body: texts.contact } : null,
  ].filter((m) => m !== null);
  const background = hexColor(design.backgroundColor) ?? hexColor(input.fallbackBackground);
  return {
    id: input.classId,
    issuerName: input.programName,
    programName: design.logoText ?? input.programName,
    programLogo: image(input.logoUrl, `${input.programName} logo`),
    ...(input.heroUrl ? { heroImage: image(input.heroUrl, `${input.tierTitle ?? input.programName}`) } : {}),
    ...(background ? { hexBackgroundColor: background } : {}),
    ...(input.tierTitle ? { rewardsTierLabel: labels.tier ?? EN.tier, rewardsTier: input.tierTitle } : {}),
    accountIdLabel: EN.memberId,
    accountNameLabel: labels.member ?? EN.member,
    ...(modules.length > 0 ? { textModulesData: modules } : {}),
    reviewStatus: 'UNDER_REVIEW',
  };
}

/** What an object shows: the customer's state, decided like the Apple pass's. */
export interface ObjectInput {
  objectId: string;
  classId: string;
  /** The merchant's customer id: member id and QR code. */
  memberId: string;
  memberName: string | null;
  points: number;
  /** Shown tier's name; null for no tier or a hidden one. */
  tierName: string | null;
  /** "1,250 points to Gold"; null at the top or without tiers. */
  progress: string | null;
  rewards: readonly string[];
  /** Label overrides of the tier design. */
  design: PassDesign;
}

/** A loyaltyObject body (insert and patch send the same; messages are added separately). */
export function loyaltyObjectBody(input: ObjectInput): WalletBody & { id: string } {
  const labels = input.design.labels ?? {};
  const modules: { id: string; header: string; body: string }[] = [];
  if (input.progress)
    modules.push({ id: 'progress', header: labels.progress ?? EN.progress, body: input.progress });
  else if (input.tierName)
    modules.push({ id: 'progress', header: labels.progress ?? EN.progress, body: EN.topTier });
  if (input.rewards.length > 0) {
    modules.push({
      id: 'rewards',
      header: labels.rewards ?? EN.rewards,
      body: input.rewards.map((r) => `• ${r}`).join('\n'),
    });
  }
  return {
    id: input.objectId,
    classId: input.classId,
    state: 'ACTIVE',
    accountId: input.memberId,
    accountName: input.memberName ?? input.memberId,
    loyaltyPoints: { label: labels.points ?? EN.points, balance: { int: input.points } },
    barcode: { type: 'QR_CODE', value: input.memberId, alternateText: input.memberId },
    textModulesData: modules,
  };
}

/** Which way the shown tier moved: by rank, or `none` when no tier is shown any more. */
export type TierMove = 'up' | 'down' | 'none';

/** Tier-change messages leave the pass's message list after this many days (they pile up otherwise). */
export const MESSAGE_DAYS = 30;

/** The message announcing a tier change (its type is decided by the daily notification count). */
export function tierChangeMessage(opts: {
  id: string;
  /** When it is sent: it shows from then for MESSAGE_DAYS. */
  at: Date;
  programName: string;
  tierName: string | null;
  move: TierMove;
  progress: string | null;
  notify: boolean;
}): WalletMessage {
  const { tierName, programName, progress } = opts;
  const next = progress ? ` ${progress}.` : '';
  let header: string;
  let body: string;
  if (tierName && opts.move === 'up') {
    header = `You're now ${tierName}`;
    body = `Congratulations! You reached ${tierName} at ${programName}.${next}`;
  } else if (tierName) {
    header = `Your tier is now ${tierName}`;
    body = `Your ${programName} tier changed to ${tierName}.${next}`;
  } else {
    header = 'Your membership changed';
    body = `Your ${programName} membership card was updated.${next}`;
  }
  return {
    id: opts.id,
    header,
    body,
    messageType: opts.notify ? 'TEXT_AND_NOTIFY' : 'TEXT',
    displayInterval: {
      start: { date: opts.at.toISOString() },
      end: { date: new Date(opts.at.getTime() + MESSAGE_DAYS * 86_400_000).toISOString() },
    },
  };
}
