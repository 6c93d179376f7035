/** Test helper: the text of the QR code in an image (PNG bytes or an SVG document), via sharp and jsQR. */
import jsQRModule from 'jsqr';
import sharp from 'sharp';

/** jsqr is CommonJS whose types describe an ES default export: take whichever the loader gives. */
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ??
  jsQRModule) as unknown as typeof jsQRModule.default;

/** Decode the QR code in `image` (any format sharp reads); null when none is found. */
export async function decodeQr(image: Buffer | string): Promise<string | null> {
  const input = typeof image === 'string' ? Buffer.from(image) : image;
  const { data, info } = await sharp(input).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const found = jsQR(
    new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    info.width,
    info.height,
  );
  return found?.data ?? null;
}
