/**
 * Artwork benchmark (`npm run bench:artwork`): the sharp renderer in-process, no database.
 *
 *   npm run bench:artwork -- [--runs 25] [--warmup 3] [--label <text>]
 *
 * - strip: one upload of a 2250×738 photo-like JPEG (noise, ~1 MB) through the upload
 *   checks (sniff, header pixel count, decoder header, minimum size) and the rendering of
 *   all its variants (strip.png, strip@2x.png, strip@3x.png): what PUT …/artwork/strip costs
 *   besides HTTP and the database.
 * - preview: one pass-face preview (750×940 PNG) from logo@2x and strip@2x PNGs.
 * Each is run --warmup times unmeasured, then --runs times; the median and p90 are printed
 * and written to bench-results/artwork-<date>.json. Results in BENCHMARKS.md.
 * `--renderer isolated` (the default, what the service runs) sends each decode and render
 * to the bounded child processes (docs/decisions/0019-bounded-image-work.md);
 * `--renderer in-process` runs sharp in this process as before.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { SLOT_SPECS } from '../src/features/artwork/artwork-slots.js';
import { DEFAULT_ARTWORK_LIMITS, validateUpload } from '../src/features/artwork/artwork-validation.js';
import { appleFaceSvg } from '../src/features/passes/pass-face-svg.js';
import { applePassModel } from '../src/features/passes/pass-model.js';
import { DEFAULT_IMAGE_WORK_LIMITS } from '../src/integrations/images/image-work-pool.js';
import { IsolatedPassFaceRenderer } from '../src/integrations/images/isolated-pass-face-renderer.js';
import type { PassFaceRenderer } from '../src/integrations/images/pass-face-renderer.js';
import { SharpPassFaceRenderer } from '../src/integrations/images/sharp-pass-face-renderer.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '25' },
    warmup: { type: 'string', default: '3' },
    label: { type: 'string' },
    renderer: { type: 'string', default: 'isolated' },
  },
});
const runs = Number(flags.runs);
const warmup = Number(flags.warmup);

async function measure(fn: () => Promise<unknown>): Promise<{ median: number; p90: number; runs: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return { median: Math.round(at(0.5) * 10) / 10, p90: Math.round(at(0.9) * 10) / 10, runs };
}

const renderer: PassFaceRenderer =
  flags.renderer === 'in-process'
    ? new SharpPassFaceRenderer({ maxInputPixels: DEFAULT_ARTWORK_LIMITS.maxPixels })
    : new IsolatedPassFaceRenderer({
        ...DEFAULT_IMAGE_WORK_LIMITS,
        maxPixels: DEFAULT_ARTWORK_LIMITS.maxPixels,
      });
const photo = await sharp({
  create: {
    width: 2250,
    height: 738,
    channels: 3,
    background: '#808080',
    noise: { type: 'gaussian', mean: 128, sigma: 40 },
  },
})
  .jpeg({ quality: 90 })
  .toBuffer();
const spec = SLOT_SPECS.strip;

const strip = await measure(async () => {
  const image = await validateUpload(photo, 'image/jpeg', spec, DEFAULT_ARTWORK_LIMITS, renderer);
  return renderer.renderVariants(image.source, spec.targets);
});

const variants = await renderer.renderVariants({ bytes: photo, format: 'jpeg' }, spec.targets);
const logo = await sharp({ create: { width: 320, height: 100, channels: 4, background: '#ffffffcc' } })
  .png()
  .toBuffer();
// The preview is the shared pass model's face SVG (decision 0025) with the images embedded.
const model = applePassModel({
  programName: 'Maison Lumière',
  memberId: 'SAMPLE-0001',
  memberName: 'Sample Member',
  points: 5000,
  tierName: 'Gold',
  rewards: [],
  progress: null,
  design: {
    backgroundColor: 'rgb(120, 20, 140)',
    foregroundColor: 'rgb(255, 255, 255)',
    labelColor: 'rgb(255, 221, 0)',
  },
  defaults: {},
});
const stripPng = variants.find((v) => v.name === 'strip@2x.png')?.data;
const face = {
  svg: appleFaceSvg(model, {
    logo: `data:image/png;base64,${logo.toString('base64')}`,
    ...(stripPng ? { strip: `data:image/png;base64,${stripPng.toString('base64')}` } : {}),
  }),
};
const preview = await measure(() => renderer.renderPreview(face));

const result = {
  date: new Date().toISOString(),
  label: flags.label ?? null,
  renderer: flags.renderer,
  machine: {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    sharp: sharp.versions.sharp,
    vips: sharp.versions.vips,
    loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 10) / 10),
  },
  source: { bytes: photo.length, width: 2250, height: 738, format: 'jpeg' },
  stripAllVariantsMs: strip,
  previewMs: preview,
  variantBytes: Object.fromEntries(variants.map((v) => [v.name, v.data.length])),
};
console.log(JSON.stringify(result, null, 2));
await renderer.close();
await mkdir(`${ROOT}bench-results`, { recursive: true });
await writeFile(
  `${ROOT}bench-results/artwork-${result.date.replace(/[:.]/g, '-')}.json`,
  JSON.stringify(result, null, 2),
);
