/** Messages between the service and an image child process (image-work-child.ts). */
import type { PassFace, RenderTarget, SourceImage } from './pass-face-renderer.js';

/** A job for the child; Buffers travel as Uint8Array. */
export type ImageJob = { id: number } & (
  | { op: 'inspect'; source: SourceImage }
  | { op: 'variants'; source: SourceImage; targets: readonly RenderTarget[] }
  | { op: 'preview'; face: PassFace }
);

/** The child's answer: the result, or the AppError it threw (status, code, message). */
export type ImageJobReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { status: number; code: string; message: string } };
