/**
 * Which SVGs are safe to rasterise: nothing may reach outside the document. A reference
 * is allowed only to a fragment (`#id`) or inline raster data (`data:image/png|jpeg|webp|gif`);
 * nested SVG data URIs are refused because their content would escape this scan.
 * Checked on the text before the rasteriser sees it; any doubt refuses.
 */

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Attribute values may hide a URL behind character references (`&#104;ttp:`). */
function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return XML_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** A reference that stays inside the document. */
function isLocalReference(raw: string): boolean {
  // Browsers and XML parsers ignore surrounding and embedded whitespace/control characters.
  const v = [...decodeEntities(raw)]
    .filter((ch) => (ch.codePointAt(0) ?? 0) > 0x20)
    .join('')
    .toLowerCase();
  return v.startsWith('#') || /^data:image\/(png|jpeg|jpg|webp|gif)[;,]/.test(v);
}

const ATTRIBUTE = /([^\s=<>"'/]+)\s*=\s*("([^"]*)"|'([^']*)')/g;
const URL_FUNCTION = /url\(\s*(["']?)([^)"']*)\1\s*\)/gi;

/** Why the SVG text is refused, or null when it is safe to rasterise. */
export function svgRefusal(svg: string): string | null {
  if (/<!DOCTYPE|<!ENTITY/i.test(svg)) return 'a DOCTYPE or entity declaration';
  if (/<\?xml-stylesheet/i.test(svg)) return 'an external stylesheet';
  if (/<(\w+:)?script[\s>/]/i.test(svg)) return 'a <script> element';
  if (/<(\w+:)?foreignObject[\s>/]/i.test(svg)) return 'a <foreignObject> element';
  if (/@import/i.test(svg)) return 'a CSS @import';
  // The whole text, not tag by tag: a quoted '>' cannot end a tag early and hide an attribute.
  for (const m of svg.matchAll(ATTRIBUTE)) {
    const name = (m[1] ?? '').toLowerCase();
    const value = m[3] ?? m[4] ?? '';
    if (/^on/.test(name)) return `an event handler attribute (${name})`;
    if (/(^|:)(href|src)$/.test(name) && !isLocalReference(value)) return `an external reference (${name})`;
  }
  // url(...) in style attributes and <style> elements, decoded like attribute values.
  for (const m of decodeEntities(svg).matchAll(URL_FUNCTION)) {
    if (!isLocalReference(m[2] ?? '')) return 'an external url() reference';
  }
  return null;
}
