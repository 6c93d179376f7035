/** The throwaway development PKI (scripts/dev-pki.sh): created on first use, reused afterwards. */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
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
  await run('bash', [SCRIPT, dir, passTypeId, teamId]);
  return { created: true };
}
