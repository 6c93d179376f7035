/**
 * Uploads in flight per slot, so that a DELETE stops a render still running in this process:
 * the DELETE aborts them (their render child is killed and they answer 409
 * `artwork_upload_cancelled`), and an upload's last check and its write run under the same
 * per-slot lock as the DELETE. This only saves the render's work: what makes the DELETE win
 * across processes (several WORKERS or instances) is the slot's generation in the database,
 * read by the upload before rendering and checked by its write
 * (docs/decisions/0019-bounded-image-work.md).
 */
import { conflict } from '../../errors.js';

/** One upload's view: aborted when its client goes away or a DELETE of the slot comes in. */
export interface SlotUpload {
  /** Passed to the renderer; abort kills the render. */
  signal: AbortSignal;
  /** Throws the abort reason when the upload must not be stored. */
  throwIfCancelled(): void;
  /** The upload is over (stored or refused). */
  end(): void;
}

/** The answer of an upload that a DELETE of its slot overtook. */
export function uploadCancelled() {
  return conflict('artwork_upload_cancelled', 'The artwork was deleted while this upload was rendering');
}

export class SlotUploads {
  private readonly inflight = new Map<string, Set<AbortController>>();
  private readonly locks = new Map<string, Promise<unknown>>();

  /** Register an upload of `key`, following the client's `signal`. */
  begin(key: string, client?: AbortSignal): SlotUpload {
    const controller = new AbortController();
    const onClient = () => controller.abort(client?.reason);
    if (client?.aborted) onClient();
    client?.addEventListener('abort', onClient, { once: true });
    const set = this.inflight.get(key) ?? new Set<AbortController>();
    this.inflight.set(key, set);
    set.add(controller);
    return {
      signal: controller.signal,
      throwIfCancelled: () => controller.signal.throwIfAborted(),
      end: () => {
        client?.removeEventListener('abort', onClient);
        set.delete(controller);
        if (set.size === 0 && this.inflight.get(key) === set) this.inflight.delete(key);
      },
    };
  }

  /** Abort every upload of `key` in flight (a DELETE came in). */
  cancel(key: string): void {
    const reason = uploadCancelled();
    for (const c of this.inflight.get(key) ?? []) c.abort(reason);
  }

  /** Run `fn` with no other `fn` of the same key running. */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}
