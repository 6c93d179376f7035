/**
 * Texts of the pass in each language. pass.json carries the English text; Wallet looks each
 * label and value up as a key in `<lang>.lproj/pass.strings`, so French maps English → French.
 */
import { formatMoney, formatPoints, type MissingItem } from '../../domain/progress.js';

/** Languages every pass is localised into. */
export const PASS_LANGUAGES = ['en', 'fr'] as const;
export type PassLanguage = (typeof PASS_LANGUAGES)[number];

/** The English texts of the pass (also the lookup keys of the other languages). */
export const EN = {
  tier: 'Tier',
  points: 'Points',
  pointsChange: 'You now have %@ points',
  progress: 'Next tier',
  rewards: 'Rewards',
  member: 'Member',
  memberId: 'Member ID',
  about: 'About',
  terms: 'Terms',
  contact: 'Contact',
  topTier: 'You have reached the top tier',
  keep: 'Keep your tier',
} as const;

const FR: Record<keyof typeof EN, string> = {
  tier: 'Niveau',
  points: 'Points',
  pointsChange: 'Vous avez maintenant %@ points',
  progress: 'Prochain niveau',
  rewards: 'Avantages',
  member: 'Membre',
  memberId: 'N° de membre',
  about: 'À propos',
  terms: 'Conditions',
  contact: 'Contact',
  topTier: 'Vous avez atteint le niveau le plus élevé',
  keep: 'Conserver votre niveau',
};

/** French for one missing item; items without a French wording keep the English label. */
function frenchItem(m: MissingItem, currency: string): string {
  switch (m.type) {
    case 'lifetimePoints':
      return formatPoints(m.missing, 'fr-FR');
    case 'carryPoints':
      return `${formatPoints(m.missing, 'fr-FR')} sur ce cycle`;
    case 'lifetimeSpend':
      return formatMoney(m.missing, currency, 'fr-FR');
    case 'largeOrder':
      return `une commande d’au moins ${formatMoney(m.missing, currency, 'fr-FR')}`;
    default:
      return m.label;
  }
}

/** Built once: an Intl formatter costs far more to build than to use. */
const FRENCH_LIST = new Intl.ListFormat('fr-FR', { type: 'conjunction' });

/** "1 250 points pour Gold": the progress headline in French. */
export function frenchProgress(missing: readonly MissingItem[], tierTitle: string, currency: string): string {
  const list = FRENCH_LIST.format(missing.map((m) => frenchItem(m, currency)));
  return `${list} pour ${tierTitle}`;
}

/** pass.strings for each language: the fixed texts plus per-pass extras (English → translation). */
export function passStrings(extraFr: Record<string, string>): Record<PassLanguage, Record<string, string>> {
  const en: Record<string, string> = {};
  const fr: Record<string, string> = {};
  for (const key of Object.keys(EN) as (keyof typeof EN)[]) {
    en[EN[key]] = EN[key];
    fr[EN[key]] = FR[key];
  }
  for (const [english, french] of Object.entries(extraFr)) {
    en[english] = english;
    fr[english] = french;
  }
  return { en, fr };
}
