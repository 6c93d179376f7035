/**
 * Renders the default pass template images (icon and logo at @1x/@2x/@3x) with sharp.
 * Run once after changing the artwork: `npx tsx scripts/make-pass-images.ts`; the PNGs are committed.
 */
import { mkdir } from 'node:fs/promises';
import sharp from 'sharp';

const OUT = new URL('../pass-templates/default/', import.meta.url);

/** A rounded badge with a star, `size` px square. */
function iconSvg(size: number): string {
  const r = size * 0.22;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100">
  <rect width="100" height="100" rx="${(r / size) * 100}" fill="#3c414c"/>
  <polygon fill="#f5c542" points="50,14 61,39 88,40 67,57 74,84 50,69 26,84 33,57 12,40 39,39"/>
</svg>`;
}

/** A star and the word "Tierpass", `w`×`h` px, transparent background. */
function logoSvg(w: number, h: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 160 50">
  <polygon fill="#f5c542" points="22,8 27,19 39,20 30,28 33,40 22,33 11,40 14,28 5,20 17,19"/>
  <text x="46" y="32" font-family="sans-serif" font-size="20" font-weight="bold" fill="#ffffff">Tierpass</text>
</svg>`;
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  for (const scale of [1, 2, 3]) {
    const suffix = scale === 1 ? '' : `@${scale}x`;
    await sharp(Buffer.from(iconSvg(29 * scale)))
      .png({ compressionLevel: 9, palette: true })
      .toFile(new URL(`icon${suffix}.png`, OUT).pathname);
    await sharp(Buffer.from(logoSvg(160 * scale, 50 * scale)))
      .png({ compressionLevel: 9, palette: true })
      .toFile(new URL(`logo${suffix}.png`, OUT).pathname);
  }
  console.log(`images written to ${OUT.pathname}`);
}

await main();
