/** The shared pass model and face SVG (pure, browser-safe): field order, overrides, a real QR code. */
import { readFileSync } from 'node:fs';
import { appleFaceSvg, escapeXml, googleFaceSvg } from '../../src/features/passes/pass-face-svg.js';
import {
  applePassModel,
  FALLBACK_COLORS,
  googlePassModel,
  mergeDesign,
  type PassModelInput,
} from '../../src/features/passes/pass-model.js';
import { decodeQr } from './qr-decode.js';

const base: PassModelInput = {
  programName: 'Maison Lumière',
  memberId: 'CUST-42',
  memberName: 'Ada Lovelace',
  points: 1250,
  tierName: 'Silver',
  rewards: ['Free shipping', 'Early access'],
  progress: { en: '250 points to Gold', fr: '250 points pour Gold' },
  design: {},
  defaults: { backgroundColor: 'rgb(60, 65, 76)' },
};

const keys = (fields: readonly { key: string }[]) => fields.map((f) => f.key);

describe('mergeDesign', () => {
  it('merges field by field, labels and texts per key', () => {
    const merged = mergeDesign(
      {
        backgroundColor: 'rgb(1, 2, 3)',
        logoText: 'Base',
        labels: { tier: 'Level', points: 'Pts' },
        texts: { about: 'A' },
      },
      { logoText: 'Gold club', labels: { points: 'Stars' }, texts: { terms: 'T' } },
    );
    expect(merged).toEqual({
      backgroundColor: 'rgb(1, 2, 3)',
      logoText: 'Gold club',
      labels: { tier: 'Level', points: 'Stars' },
      texts: { about: 'A', terms: 'T' },
    });
    expect(mergeDesign({}, {})).toEqual({});
  });
});

describe('applePassModel', () => {
  it('orders the fields of a member with a tier and progress', () => {
    const m = applePassModel(base);
    expect(m.headerFields).toEqual([{ key: 'tier', label: 'Tier', value: 'Silver' }]);
    expect(m.primaryFields).toEqual([
      {
        key: 'points',
        label: 'Points',
        value: 1250,
        numberStyle: 'PKNumberStyleDecimal',
        changeMessage: 'You now have %@ points',
      },
    ]);
    expect(m.secondaryFields).toEqual([{ key: 'progress', label: 'Next tier', value: '250 points to Gold' }]);
    expect(m.auxiliaryFields).toEqual([{ key: 'member', label: 'Member', value: 'Ada Lovelace' }]);
    expect(keys(m.backFields)).toEqual(['rewards', 'memberId']);
    expect(m.backFields[0]?.value).toBe('• Free shipping\n• Early access');
    expect(m.barcode).toEqual({
      format: 'PKBarcodeFormatQR',
      message: 'CUST-42',
      messageEncoding: 'iso-8859-1',
      altText: 'CUST-42',
    });
    expect(m.translationsFr).toEqual({ '250 points to Gold': '250 points pour Gold' });
    expect(m.logoText).toBe('Maison Lumière');
    expect(m.description).toBe('Maison Lumière membership card');
  });

  it('top tier: the top-tier text; no tier or hidden tier: no tier, no progress field', () => {
    const top = applePassModel({ ...base, progress: null });
    expect(top.secondaryFields).toEqual([
      { key: 'progress', label: 'Next tier', value: 'You have reached the top tier' },
    ]);
    const none = applePassModel({ ...base, tierName: null, progress: null, rewards: [], memberName: null });
    expect(none.headerFields).toEqual([]);
    expect(none.secondaryFields).toEqual([]);
    expect(none.auxiliaryFields).toEqual([]);
    expect(keys(none.backFields)).toEqual(['memberId']);
    // A hidden tier is passed as tierName null with its rewards: the rewards stay on the back.
    const hidden = applePassModel({
      ...base,
      tierName: null,
      progress: { en: '10 points to Gold', fr: 'x' },
    });
    expect(keys(hidden.headerFields)).toEqual([]);
    expect(keys(hidden.secondaryFields)).toEqual(['progress']);
    expect(keys(hidden.backFields)).toEqual(['rewards', 'memberId']);
  });

  it('applies label overrides, texts and colours (design > template > fallback)', () => {
    const m = applePassModel({
      ...base,
      design: {
        foregroundColor: 'rgb(0, 0, 0)',
        logoText: 'Lumière',
        labels: { tier: 'Level', points: 'Stars', progress: 'Next', member: 'Name', rewards: 'Perks' },
        texts: { about: 'About us', terms: 'Terms apply', contact: 'hello@example.com' },
      },
    });
    expect(m.headerFields[0]?.label).toBe('Level');
    expect(m.primaryFields[0]?.label).toBe('Stars');
    expect(m.secondaryFields[0]?.label).toBe('Next');
    expect(m.auxiliaryFields[0]?.label).toBe('Name');
    expect(m.backFields.map((f) => [f.key, f.label])).toEqual([
      ['rewards', 'Perks'],
      ['memberId', 'Member ID'],
      ['about', 'About'],
      ['terms', 'Terms'],
      ['contact', 'Contact'],
    ]);
    expect(m.logoText).toBe('Lumière');
    expect(m.foregroundColor).toBe('rgb(0, 0, 0)');
    expect(m.backgroundColor).toBe('rgb(60, 65, 76)');
    expect(m.labelColor).toBe(FALLBACK_COLORS.labelColor);
  });
});

describe('googlePassModel', () => {
  it('has the class and object parts in order', () => {
    const g = googlePassModel({
      ...base,
      design: { texts: { about: 'About us' }, labels: { points: 'Stars' } },
    });
    expect(g.issuerName).toBe('Maison Lumière');
    expect(g.programName).toBe('Maison Lumière');
    expect(g.hexBackgroundColor).toBe('#3c414c');
    expect(g.rewardsTier).toEqual({ label: 'Tier', value: 'Silver' });
    expect(g.accountId).toBe('CUST-42');
    expect(g.accountName).toBe('Ada Lovelace');
    expect(g.loyaltyPoints).toEqual({ label: 'Stars', balance: 1250 });
    expect(g.barcode).toEqual({ type: 'QR_CODE', value: 'CUST-42', alternateText: 'CUST-42' });
    expect(g.textModules.map((t) => t.id)).toEqual(['progress', 'rewards', 'about']);
    const none = googlePassModel({ ...base, tierName: null, progress: null, rewards: [], memberName: null });
    expect(none.rewardsTier).toBeNull();
    // Never the merchant's customer id (issue 15 G6): the email when there is no name, else none.
    expect(none.accountName).toBeNull();
    expect(googlePassModel({ ...base, memberName: null, memberEmail: 'ann@example.com' }).accountName).toBe(
      'ann@example.com',
    );
    expect(none.textModules).toEqual([]);
  });
});

/** Every URL-bearing attribute or CSS url() in the document. */
function references(svg: string): string[] {
  const attrs = [...svg.matchAll(/\s(?:href|xlink:href|src)="([^"]*)"/g)].map((m) => m[1] as string);
  const urls = [...svg.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1] as string);
  return [...attrs, ...urls.filter((u) => !u.startsWith('#'))];
}

const png = (name: string) =>
  `data:image/png;base64,${readFileSync(new URL(`../../pass-templates/default/${name}`, import.meta.url)).toString('base64')}`;

describe('face SVGs', () => {
  const images = { logo: png('logo@2x.png'), icon: png('icon@2x.png') };

  it('escape every text and reference only the given images', () => {
    const hostile = {
      ...base,
      programName: '<script>alert(1)</script> & "co"',
      memberName: '</text><image href="https://evil.example/x.png"/>',
      design: { logoText: '\'><a href="javascript:x">' },
    };
    for (const svg of [
      appleFaceSvg(applePassModel(hostile), images),
      googleFaceSvg(googlePassModel(hostile), images),
    ]) {
      expect(svg).not.toContain('<script');
      expect(svg).not.toContain('<image href="https://evil');
      expect(svg).not.toContain('<a ');
      expect(references(svg).every((r) => r === images.logo || r === images.icon)).toBe(true);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    }
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
  });

  it('draw a real QR code of the member id (Apple and Google)', async () => {
    const input = { ...base, memberId: 'shopify-customer-8812&x' };
    expect(await decodeQr(appleFaceSvg(applePassModel(input), images))).toBe('shopify-customer-8812&x');
    expect(await decodeQr(googleFaceSvg(googlePassModel(input), images))).toBe('shopify-customer-8812&x');
  });
});
