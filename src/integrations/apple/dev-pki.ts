/** The throwaway development PKI (scripts/dev-pki.sh): created on first use, reused afterwards. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CERT_FILES } from './certificates.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/dev-pki.sh', import.meta.url));

/** Root CA file of the dev PKI: the `-CAfile` that `openssl smime -verify` trusts. */
export const DEV_ROOT_FILE = 'root.pem';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Make sure `dir` holds a dev PKI for this pass type id; returns whether it was just created. */
export async function ensureDevPki(
  dir: string,
  passTypeId: string,
  teamId: string,
): Promise<{ created: boolean }> {
  const needed = [DEV_ROOT_FILE, CERT_FILES.signerCert, CERT_FILES.signerKey, CERT_FILES.wwdr];
  const present = await Promise.all(needed.map((f) => exists(join(dir, f))));
  if (present.every(Boolean)) return { created: false };
  // openssl does the work; the script is also what a developer runs by hand.
  if (await exists(dir)) {
    // An incomplete directory (an interrupted run of the script): complete it in place.
    await run('bash', [SCRIPT, dir, passTypeId, teamId]);
    return { created: true };
  }
  // Made beside it and renamed into place: processes starting at once on one DATA_DIR (worker
  // processes, instances) never mix two PKIs' files; the first rename wins, the others use it.
  await mkdir(dirname(dir), { recursive: true });
  const scratch = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await run('bash', [SCRIPT, scratch, passTypeId, teamId]);
    await rename(scratch, dir);
    return { created: true };
  } catch (err) {
    const won = await Promise.all(needed.map((f) => exists(join(dir, f))));
    if (won.every(Boolean)) return { created: false };
    throw err;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
