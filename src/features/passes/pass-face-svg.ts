/**
 * Pure and browser-safe: the front of a pass as a standalone SVG document, drawn from the same
 * models the real passes are built from (pass-model.ts). The server rasterises it with sharp
 * (previews, the shopper page's card image); the console shows it live while the merchant edits.
 * The QR code is real (uqr, no DOM, works in Node and browsers) and drawn as one path.
 */
import { encode } from 'uqr';
import type { ApplePassModel, GooglePassModel, PassField } from './pass-model.js';
import { parseRgb } from './pass-model.js';

/** Images drawn on the face: data: URIs on the server, same-origin or blob: URLs in the browser. */
export interface FaceImages {
  /** Apple logo (top left). */
  logo?: string;
  /** Pass icon: Google's logo circle when there is no `googleLogo` (as the real class does). */
  icon?: string;
  /** Apple strip image behind the primary field. */
  strip?: string;
  /** Google hero image at the foot of the card. */
  hero?: string;
  /** Google program logo (the uploaded logo's square variant); Google falls back to `icon`, then `logo`. */
  googleLogo?: string;
}

/** Apple face size: a 375 pt storeCard at @2x. */
export const APPLE_FACE = { width: 750, height: 1000 } as const;
/** Google face size: the same scale as the Apple face. */
export const GOOGLE_FACE = { width: 750, height: 1040 } as const;

/** Generic family lists only: no font files are fetched, the viewer's system fonts draw the text. */
const FONT = "-apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Helvetica, Arial, sans-serif";

/** Text and attribute escape (element content and double-quoted attributes). */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Cut a text to `max` characters with an ellipsis: the face has no text layout engine. */
function ellipsize(value: string, max: number): string {
  const chars = [...value.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** Points as Wallet shows them with PKNumberStyleDecimal (en-US grouping). */
function shown(value: string | number): string {
  return typeof value === 'number' ? value.toLocaleString('en-US') : value;
}

function text(
  x: number,
  y: number,
  value: string,
  opts: {
    size: number;
    fill: string;
    weight?: number;
    anchor?: 'start' | 'middle' | 'end';
    spacing?: number;
  },
): string {
  const anchor = opts.anchor && opts.anchor !== 'start' ? ` text-anchor="${opts.anchor}"` : '';
  const weight = opts.weight ? ` font-weight="${opts.weight}"` : '';
  const spacing = opts.spacing ? ` letter-spacing="${opts.spacing}"` : '';
  return `<text x="${x}" y="${y}" font-size="${opts.size}" fill="${escapeXml(opts.fill)}"${weight}${anchor}${spacing}>${escapeXml(value)}</text>`;
}

function image(
  href: string,
  x: number,
  y: number,
  w: number,
  h: number,
  aspect: string,
  clip?: string,
): string {
  const clipAttr = clip ? ` clip-path="url(#${clip})"` : '';
  return `<image href="${escapeXml(href)}" x="${x}" y="${y}" width="${w}" height="${h}" preserveAspectRatio="${aspect}"${clipAttr}/>`;
}

/**
 * The QR code of `message` as one path of dark modules on a white square with a quiet zone,
 * `size` wide, top left at (x, y). Runs of dark modules in a row are one rectangle each.
 */
export function qrSvg(message: string, x: number, y: number, size: number): string {
  const qr = encode(message, { ecc: 'M', border: 0 });
  const quiet = 4;
  const modules = qr.size + quiet * 2;
  const scale = size / modules;
  let d = '';
  qr.data.forEach((row, r) => {
    let c = 0;
    while (c < row.length) {
      if (!row[c]) {
        c += 1;
        continue;
      }
      let run = 1;
      while (row[c + run]) run += 1;
      d += `M${c + quiet} ${r + quiet}h${run}v1h-${run}z`;
      c += run;
    }
  });
  return (
    `<g transform="translate(${x} ${y})">` +
    `<rect width="${size}" height="${size}" rx="12" fill="#ffffff"/>` +
    `<path transform="scale(${round(scale)})" d="${d}" fill="#000000" shape-rendering="crispEdges"/>` +
    '</g>'
  );
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** A label/value pair at (x, y): label small in the label colour, value below it. */
function fieldBlock(
  field: PassField,
  x: number,
  y: number,
  colors: { label: string; value: string },
  opts: { valueSize: number; anchor?: 'start' | 'end'; max: number },
): string {
  return (
    text(x, y, ellipsize(field.label.toUpperCase(), opts.max + 6), {
      size: 22,
      fill: colors.label,
      weight: 600,
      anchor: opts.anchor,
      spacing: 1,
    }) +
    text(x, y + opts.valueSize + 10, ellipsize(shown(field.value), opts.max), {
      size: opts.valueSize,
      fill: colors.value,
      anchor: opts.anchor,
    })
  );
}

/** A row of up to four fields spread across the card width (Wallet's secondary/auxiliary rows). */
function fieldRow(fields: readonly PassField[], y: number, colors: { label: string; value: string }): string {
  const row = fields.slice(0, 4);
  if (row.length === 0) return '';
  const width = (APPLE_FACE.width - 64) / row.length;
  const max = Math.max(8, Math.floor(width / 17));
  return row
    .map((f, i) => {
      const last = row.length > 1 && i === row.length - 1;
      const x = last ? APPLE_FACE.width - 32 : 32 + i * width;
      return fieldBlock(f, x, y, colors, { valueSize: 30, anchor: last ? 'end' : 'start', max });
    })
    .join('');
}

function svgDocument(width: number, height: number, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-label="${escapeXml(title)}" font-family="${escapeXml(FONT)}">` +
    `<title>${escapeXml(title)}</title>${body}</svg>`
  );
}

/**
 * The front of an Apple storeCard as Wallet lays it out: logo, logo text and header fields on
 * the top row; the strip image with the primary field over it; the secondary and auxiliary
 * rows; the QR code with its alt text at the foot.
 */
export function appleFaceSvg(model: ApplePassModel, images: FaceImages): string {
  const { width, height } = APPLE_FACE;
  const fg = model.foregroundColor;
  const label = model.labelColor;
  const colors = { label, value: fg };
  const parts: string[] = [];
  parts.push(
    '<defs><clipPath id="card"><rect width="750" height="1000" rx="28"/></clipPath></defs>',
    `<g clip-path="url(#card)"><rect width="${width}" height="${height}" fill="${escapeXml(model.backgroundColor)}"/>`,
  );
  // Top row: 130 px high (65 pt). Logo at most 320×100 (Wallet's 160×50 pt).
  let logoRight = 32;
  if (images.logo) {
    parts.push(image(images.logo, 32, 16, 200, 100, 'xMinYMid meet'));
    logoRight = 248;
  }
  const header = model.headerFields.slice(0, 2);
  const headerWidth = header.length * 190;
  const logoTextMax = Math.max(6, Math.floor((width - 32 - headerWidth - logoRight) / 19));
  parts.push(
    text(logoRight, 80, ellipsize(model.logoText, logoTextMax), { size: 34, fill: fg, weight: 600 }),
  );
  header.forEach((f, i) => {
    const x = width - 32 - (header.length - 1 - i) * 190;
    parts.push(fieldBlock(f, x, 56, colors, { valueSize: 30, anchor: 'end', max: 11 }));
  });
  // Strip: 750×246 (375×123 pt), the primary field over it.
  const stripY = 130;
  if (images.strip) parts.push(image(images.strip, 0, stripY, width, 246, 'xMidYMid slice'));
  const primary = model.primaryFields[0];
  if (primary) {
    parts.push(
      text(32, stripY + 120, ellipsize(shown(primary.value), 14), { size: 96, fill: fg, weight: 300 }),
      text(32, stripY + 170, ellipsize(primary.label.toUpperCase(), 30), {
        size: 26,
        fill: fg,
        weight: 600,
        spacing: 1,
      }),
    );
  }
  parts.push(fieldRow(model.secondaryFields, stripY + 246 + 50, colors));
  parts.push(fieldRow(model.auxiliaryFields, stripY + 246 + 150, colors));
  // Barcode area: Wallet centres the code near the foot with its alt text beneath.
  const qrSize = 300;
  const qrY = height - qrSize - 90;
  parts.push(
    `<rect x="${(width - 340) / 2}" y="${qrY - 20}" width="340" height="390" rx="16" fill="#ffffff"/>`,
  );
  parts.push(qrSvg(model.barcode.message, (width - qrSize) / 2, qrY, qrSize));
  parts.push(
    text(width / 2, qrY + qrSize + 40, ellipsize(model.barcode.altText, 30), {
      size: 24,
      fill: '#000000',
      anchor: 'middle',
    }),
  );
  parts.push('</g>');
  return svgDocument(width, height, `${model.organizationName} pass`, parts.join(''));
}

/** Black or white text, whichever reads better on `hex` (what Google Wallet does). */
export function textOn(background: string): string {
  const c = parseRgb(background) ?? { r: 0, g: 0, b: 0 };
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  return luminance > 0.4 ? '#000000' : '#ffffff';
}

/**
 * The front of a Google Wallet loyalty card: logo circle and program name, the rewards tier and
 * points, the QR code with its alternate text, the hero image at the foot.
 */
export function googleFaceSvg(model: GooglePassModel, images: FaceImages): string {
  const { width, height } = GOOGLE_FACE;
  const bg = model.hexBackgroundColor;
  const fg = textOn(bg);
  const parts: string[] = [
    '<defs><clipPath id="gcard"><rect width="750" height="1040" rx="40"/></clipPath>' +
      '<clipPath id="glogo"><circle cx="72" cy="72" r="40"/></clipPath></defs>',
    `<g clip-path="url(#gcard)"><rect width="${width}" height="${height}" fill="${escapeXml(bg)}"/>`,
  ];
  const logo = images.googleLogo ?? images.icon ?? images.logo;
  parts.push('<circle cx="72" cy="72" r="40" fill="#ffffff"/>');
  if (logo) parts.push(image(logo, 32, 32, 80, 80, 'xMidYMid slice', 'glogo'));
  parts.push(text(132, 84, ellipsize(model.issuerName, 28), { size: 30, fill: fg, weight: 500 }));
  parts.push(text(32, 200, ellipsize(model.programName, 26), { size: 44, fill: fg, weight: 400 }));
  parts.push(`<rect x="32" y="232" width="${width - 64}" height="2" fill="${fg}" opacity="0.2"/>`);
  const row = (x: number, lbl: string, value: string, anchor: 'start' | 'end') =>
    text(x, 290, ellipsize(lbl, 20), { size: 24, fill: fg, anchor }) +
    text(x, 336, ellipsize(value, 16), { size: 34, fill: fg, weight: 500, anchor });
  if (model.rewardsTier) parts.push(row(32, model.rewardsTier.label, model.rewardsTier.value, 'start'));
  parts.push(
    row(
      model.rewardsTier ? width - 32 : 32,
      model.loyaltyPoints.label,
      model.loyaltyPoints.balance.toLocaleString('en-US'),
      model.rewardsTier ? 'end' : 'start',
    ),
  );
  const qrSize = 300;
  const qrY = 390;
  parts.push(
    `<rect x="${(width - 340) / 2}" y="${qrY - 20}" width="340" height="390" rx="24" fill="#ffffff"/>`,
  );
  parts.push(qrSvg(model.barcode.value, (width - qrSize) / 2, qrY, qrSize));
  parts.push(
    text(width / 2, qrY + qrSize + 40, ellipsize(model.barcode.alternateText, 30), {
      size: 24,
      fill: '#3c4043',
      anchor: 'middle',
    }),
  );
  if (images.hero) parts.push(image(images.hero, 0, height - 250, width, 250, 'xMidYMid slice'));
  parts.push('</g>');
  return svgDocument(width, height, `${model.issuerName} Google Wallet pass`, parts.join(''));
}
