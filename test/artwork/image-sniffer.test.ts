/** Formats and header sizes come from the bytes, not from names or headers. */
import { sniffImage } from '../../src/integrations/images/image-sniffer.js';
import { cleanSvg, jpeg, png, pngHeaderOnly, webp } from './artwork-fixtures.js';

describe('sniffImage', () => {
  it('reads format and size of PNG, JPEG and WebP headers', async () => {
    expect(sniffImage(await png(300, 200))).toEqual({ format: 'png', size: { width: 300, height: 200 } });
    expect(sniffImage(await jpeg(301, 199))).toEqual({ format: 'jpeg', size: { width: 301, height: 199 } });
    expect(sniffImage(await webp(302, 198))).toEqual({ format: 'webp', size: { width: 302, height: 198 } });
    expect(sniffImage(pngHeaderOnly(10_000, 5_000))).toEqual({
      format: 'png',
      size: { width: 10_000, height: 5_000 },
    });
  });

  it('recognises SVG text with a prolog and comments, sized later', () => {
    expect(sniffImage(cleanSvg)).toEqual({ format: 'svg', size: null });
    expect(sniffImage(Buffer.from('\uFEFF<!-- logo -->\n<svg width="1" height="1"/>'))).toEqual({
      format: 'svg',
      size: null,
    });
  });

  it('recognises nothing else', () => {
    expect(sniffImage(Buffer.from('hello'))).toBeNull();
    expect(sniffImage(Buffer.from('<html><svg/></html>'))).toBeNull();
    expect(sniffImage(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffImage(Buffer.alloc(0))).toBeNull();
  });
});
