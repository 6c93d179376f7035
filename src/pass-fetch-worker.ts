/**
 * The pass fetch thread's composition root (decision 0054; the main side is
 * features/passes/pass-fetch-thread.ts). It lowers its own scheduling priority, opens a small
 * PostgreSQL pool of its own, builds the same PassService the process builds (no request gate:
 * the kernel's priority does that job here) and answers one message per fetch.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from './clock.js';
import { AppError } from './errors.js';
import { PassBranding } from './features/passes/pass-branding.js';
import type {
  PassThreadData,
  PassThreadMessage,
  PassThreadRequest,
} from './features/passes/pass-fetch-thread.js';
import { PassLinkSigner } from './features/passes/pass-links.js';
import { PassPreviewService } from './features/passes/pass-preview.js';
import { PassService } from './features/passes/pass-service.js';
import { loadPassTemplates } from './features/passes/pass-templates.js';
import { readPassCertificates } from './integrations/apple/certificates.js';
import { createNativePassSigner } from './integrations/apple/native-pass-signer.js';
import type { PassFaceRenderer } from './integrations/images/pass-face-renderer.js';
import { createPgDriver } from './store/postgres/pg-driver.js';
import { createPostgresStore } from './store/postgres/postgres-store.js';

const port = parentPort;
if (!port) throw new Error('pass-fetch-worker runs as a worker thread');
const data = workerData as PassThreadData;
const send = (m: PassThreadMessage, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

/** Lower this thread's priority (Linux: a thread is a task with its own nice value). */
function lowerPriority(nice: number): { tid: number | null; nice: number | null } {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid)) return { tid: null, nice: null };
    setPriority(tid, nice);
    return { tid, nice: getPriority(tid) };
  } catch {
    return { tid: null, nice: null };
  }
}

/** A fetch never renders images (previews and cards do, in the process's own image children). */
const noRenderer: PassFaceRenderer = {
  variantRenders: 0,
  previewRenders: 0,
  inspect: () => Promise.reject(new Error('no image work in the pass fetch thread')),
  renderVariants: () => Promise.reject(new Error('no image work in the pass fetch thread')),
  renderPreview: () => Promise.reject(new Error('no image work in the pass fetch thread')),
  close: () => Promise.resolve(),
};

async function open(): Promise<PassService> {
  const store = createPostgresStore(
    createPgDriver({
      connectionString: data.databaseUrl,
      poolSize: data.poolSize,
      applicationName: 'tierpass-passes',
    }),
  );
  const logger = { warn: (obj: object, msg?: string) => send({ kind: 'warn', obj, msg: msg ?? '' }) };
  const templates = await loadPassTemplates(data.templatesDir);
  const branding = new PassBranding({ store, templates, logger });
  return new PassService({
    store,
    clock: systemClock,
    logger,
    branding,
    previews: new PassPreviewService({ store, branding, renderer: noRenderer }),
    signer: await createNativePassSigner({
      certificates: await readPassCertificates(data.certsDir, data.keyPassphrase),
      passTypeIdentifier: data.passTypeIdentifier,
      teamIdentifier: data.teamIdentifier,
      now: () => systemClock.now(),
      // Signed here, at this thread's priority, not on the pool's threads at the process's.
      rsa: 'inline',
    }),
    links: new PassLinkSigner(data.linkSecret),
    publicUrl: data.publicUrl,
    cacheEntries: data.cacheEntries,
  });
}

async function serve(passes: PassService, m: PassThreadRequest): Promise<void> {
  try {
    const result = await passes.applePass(m.ctx, m.customerId, m.conditions);
    const stats = { ...passes.stats };
    if (result.notModified) send({ kind: 'result', id: m.id, result, stats });
    // A copy crosses without a second copy: the cache keeps its own buffer.
    else {
      const body = new Uint8Array(result.body);
      send({ kind: 'result', id: m.id, result: { ...result, body: Buffer.from(body.buffer) }, stats }, [
        body.buffer,
      ]);
    }
  } catch (err) {
    const e = err as Error;
    const error =
      err instanceof AppError
        ? { status: err.status, code: err.code, message: e.message }
        : { message: e.message };
    send({ kind: 'error', id: m.id, error, stats: { ...passes.stats } });
  }
}

const lowered = lowerPriority(data.nice);
open().then(
  (passes) => {
    port.on('message', (m: PassThreadRequest) => void serve(passes, m));
    send({ kind: 'ready', ...lowered });
  },
  (err: Error) => send({ kind: 'failed', message: err.message }),
);
