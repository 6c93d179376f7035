/** Declared vs actual size: every PNG layout an encoder writes passes; lying headers do not. */
import sharp from 'sharp';
import { checkDeclaredSize } from '../../src/integrations/images/image-integrity.js';
import { grayPng, manyScansJpeg } from './hostile-images.js';

const base = () =>
  sharp({
    create: {
      width: 301,
      height: 157,
      channels: 4,
      background: { r: 10, g: 200, b: 30, alpha: 0.5 },
      noise: { type: 'gaussian', mean: 100, sigma: 30 },
    },
  });

describe('checkDeclaredSize', () => {
  it.each([
    ['RGBA', () => base().png()],
    ['interlaced (Adam7)', () => base().png({ progressive: true })],
    ['palette', () => base().png({ palette: true })],
    ['2-bit palette', () => base().png({ palette: true, colours: 4 })],
    ['interlaced 1-bit palette', () => base().png({ progressive: true, palette: true, colours: 2 })],
    ['grey', () => base().greyscale().removeAlpha().png()],
    ['16-bit grey', () => base().greyscale().removeAlpha().toColourspace('grey16').png()],
    ['16-bit RGB', () => base().removeAlpha().toColourspace('rgb16').png()],
  ])('accepts a %s PNG from sharp', async (_what, make) => {
    await expect(checkDeclaredSize(await make().toBuffer(), 'png')).resolves.toBeUndefined();
  });

  it('accepts lossy and lossless WebP and a progressive JPEG', async () => {
    await expect(checkDeclaredSize(await base().webp().toBuffer(), 'webp')).resolves.toBeUndefined();
    await expect(
      checkDeclaredSize(await base().webp({ lossless: true }).toBuffer(), 'webp'),
    ).resolves.toBeUndefined();
    await expect(
      checkDeclaredSize(await base().jpeg({ progressive: true }).toBuffer(), 'jpeg'),
    ).resolves.toBeUndefined();
  });

  it('refuses pixel data larger or smaller than the header, and a JPEG with too many scans', async () => {
    const more = grayPng({ width: 100, height: 100 }, { width: 100, height: 101 }, 8);
    await expect(checkDeclaredSize(more, 'png')).rejects.toMatchObject({
      status: 422,
      code: 'artwork_size_mismatch',
    });
    const less = grayPng({ width: 100, height: 100 }, { width: 100, height: 99 }, 8);
    await expect(checkDeclaredSize(less, 'png')).rejects.toMatchObject({
      status: 422,
      code: 'artwork_size_mismatch',
    });
    await expect(checkDeclaredSize(await manyScansJpeg(65), 'jpeg')).rejects.toMatchObject({
      code: 'artwork_too_complex',
    });
  });
});
