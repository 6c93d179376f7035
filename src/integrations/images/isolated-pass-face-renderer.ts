/**
 * PassFaceRenderer whose every decode and render runs in a bounded child process
 * (image-work-pool.ts): what the service uses, so no merchant image can hold a core or
 * grow the service's memory beyond the pool's budget.
 */
import { type ImageWorkLimits, ImageWorkPool } from './image-work-pool.js';
import type {
  PassFace,
  PassFaceRenderer,
  RenderedImage,
  RenderTarget,
  SourceImage,
} from './pass-face-renderer.js';

/** Buffers come back from the child as Uint8Array (structured clone). */
const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export class IsolatedPassFaceRenderer implements PassFaceRenderer {
  /** The child processes (tests read their peak memory). */
  readonly pool: ImageWorkPool;
  private variants = 0;
  private previews = 0;

  constructor(limits?: ImageWorkLimits) {
    this.pool = new ImageWorkPool(limits);
  }

  get variantRenders(): number {
    return this.variants;
  }

  get previewRenders(): number {
    return this.previews;
  }

  inspect(source: SourceImage, signal?: AbortSignal): Promise<{ width: number; height: number }> {
    return this.pool.run({ op: 'inspect', source }, signal);
  }

  async renderVariants(
    source: SourceImage,
    targets: readonly RenderTarget[],
    signal?: AbortSignal,
  ): Promise<RenderedImage[]> {
    this.variants += 1;
    const out = await this.pool.run<RenderedImage[]>({ op: 'variants', source, targets }, signal);
    return out.map((r) => ({ ...r, data: buf(r.data) }));
  }

  async renderPreview(face: PassFace, signal?: AbortSignal): Promise<Buffer> {
    this.previews += 1;
    return buf(await this.pool.run<Uint8Array>({ op: 'preview', face }, signal));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
