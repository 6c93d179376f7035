/**
 * Entry of an image child process (image-work-pool.ts forks it): runs one job at a time on
 * SharpPassFaceRenderer and answers over IPC. The parent kills it when a job exceeds its
 * CPU, wall-clock or memory budget, or when the client goes away.
 */
import sharp from 'sharp';
import { AppError } from '../../errors.js';
import type { ImageJob, ImageJobReply } from './image-work-protocol.js';
import { SharpPassFaceRenderer } from './sharp-pass-face-renderer.js';

// One libvips thread per child: the pool size is the number of cores image work may use.
sharp.concurrency(1);
// No operation cache: memory is returned between jobs and RSS measures the current job.
sharp.cache(false);

const renderer = new SharpPassFaceRenderer({ maxInputPixels: Number(process.argv[2]) });

/** Buffers arrive as Uint8Array through the structured clone of `serialization: 'advanced'`. */
const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

async function run(job: ImageJob): Promise<unknown> {
  switch (job.op) {
    case 'inspect':
      return renderer.inspect({ ...job.source, bytes: buf(job.source.bytes) });
    case 'variants':
      return renderer.renderVariants({ ...job.source, bytes: buf(job.source.bytes) }, job.targets);
    case 'preview':
      return renderer.renderPreview(job.face);
  }
}

process.on('message', (job: ImageJob) => {
  run(job).then(
    (result) => process.send?.({ id: job.id, ok: true, result } satisfies ImageJobReply),
    (err: unknown) => {
      const error =
        err instanceof AppError
          ? { status: err.status, code: err.code, message: err.message }
          : {
              status: 400,
              code: 'artwork_unreadable',
              message: `The image could not be decoded: ${String(err)}`,
            };
      process.send?.({ id: job.id, ok: false, error } satisfies ImageJobReply);
    },
  );
});
// The parent went away: nothing is left to answer to.
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
