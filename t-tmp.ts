import { SLOT_SPECS } from './src/features/artwork/artwork-slots.js';
import { checkDeclaredSize } from './src/integrations/images/image-integrity.js';
import { IsolatedPassFaceRenderer } from './src/integrations/images/isolated-pass-face-renderer.js';
import { grayPng } from './test/artwork/hostile-images.js';

const png = grayPng({ width: 100, height: 100 }, { width: 20_000, height: 20_000 });
let t = Date.now();
try {
  await checkDeclaredSize(png, 'png');
  console.log('in-process ok?');
} catch (e) {
  console.log('in-process', String(e), Date.now() - t);
}
const r = new IsolatedPassFaceRenderer({
  workers: 1,
  queue: 4,
  cpuMs: 2000,
  wallMs: 30000,
  maxRssBytes: 512e6,
  maxPixels: 25e6,
});
t = Date.now();
console.log(await r.inspect({ bytes: png, format: 'png' }), Date.now() - t);
try {
  await r.renderVariants({ bytes: png, format: 'png' }, SLOT_SPECS.icon.targets);
} catch (e) {
  console.log('child', String(e), Date.now() - t);
}
await r.close();
