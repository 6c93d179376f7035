/**
 * Pure: Google Wallet ids and resource bodies (loyalty class per tier, loyalty object per
 * customer, tier-change messages). See docs/decisions/0012-google-wallet.md.
 */
import { createHash } from 'node:crypto';
import type { WalletBody, WalletMessage } from '../../integrations/google/wallet-client.js';
import { type GooglePassModel, hexColor } from '../passes/pass-model.js';

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

/** `rgb(212, 175, 55)` → `#d4af37` (kept here for its callers; lives in the shared pass model). */
export { hexColor };

/** Stable hash of a body: what was last sent is compared with what would be sent now. */
export function bodyHash(body: WalletBody): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 22);
}

const image = (uri: string, description: string) => ({
  sourceUri: { uri },
  contentDescription: { defaultValue: { language: 'en-US', value: description } },
});

/** What a class shows: the class parts of the pass model (the same for every member of the tier). */
export interface ClassInput {
  classId: string;
  /** The model of any member shown this class (only its class parts are used). */
  model: GooglePassModel;
  /** Public URL of the program logo (required by Google). */
  logoUrl: string;
  /** Public URL of the hero image, when there is one. */
  heroUrl: string | null;
}

/** A loyaltyClass body (insert and patch send the same), from the shared Google pass model. */
export function loyaltyClassBody(input: ClassInput): WalletBody & { id: string } {
  const { model } = input;
  return {
    id: input.classId,
    issuerName: model.issuerName,
    programName: model.programName,
    programLogo: image(input.logoUrl, `${model.issuerName} logo`),
    ...(input.heroUrl
      ? { heroImage: image(input.heroUrl, model.rewardsTier?.value ?? model.issuerName) }
      : {}),
    hexBackgroundColor: model.hexBackgroundColor,
    ...(model.rewardsTier
      ? { rewardsTierLabel: model.rewardsTier.label, rewardsTier: model.rewardsTier.value }
      : {}),
    accountIdLabel: model.accountIdLabel,
    accountNameLabel: model.accountNameLabel,
    ...(model.classTextModules.length > 0 ? { textModulesData: model.classTextModules } : {}),
    reviewStatus: 'UNDER_REVIEW',
  };
}

/** What an object shows: the customer's model, decided like the Apple pass's. */
export interface ObjectInput {
  objectId: string;
  classId: string;
  /** The customer's Google pass model. */
  model: GooglePassModel;
}

const INT32_MAX = 2 ** 31 - 1;
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * `loyaltyPoints.balance`: `int` is an int32 in Google's schema, so a balance beyond it is sent
 * as the `string` Google shows as is ("3,000,000,000"), grouped as Wallet groups an `int`.
 */
export function pointsBalance(points: number): { int: number } | { string: string } {
  return Math.abs(points) <= INT32_MAX ? { int: points } : { string: grouped.format(points) };
}

/** A loyaltyObject body (insert and patch send the same; messages are added separately). */
export function loyaltyObjectBody(input: ObjectInput): WalletBody & { id: string } {
  const { model } = input;
  return {
    id: input.objectId,
    classId: input.classId,
    state: 'ACTIVE',
    accountId: model.accountId,
    ...(model.accountName ? { accountName: model.accountName } : {}),
    loyaltyPoints: { label: model.loyaltyPoints.label, balance: pointsBalance(model.loyaltyPoints.balance) },
    barcode: { ...model.barcode },
    textModulesData: model.objectTextModules,
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
