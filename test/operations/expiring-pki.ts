/** A dev PKI (scripts/dev-pki.sh) whose Pass Type ID certificate is issued again to expire in `days`. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function makeExpiringPki(dir: string, passTypeId: string, days: number): Promise<void> {
  await run('bash', ['scripts/dev-pki.sh', dir, passTypeId, 'TEAMID0000']);
  const csr = join(dir, 'signer.csr');
  await run('openssl', [
    'req',
    '-new',
    '-key',
    join(dir, 'signerKey.pem'),
    '-subj',
    `/UID=${passTypeId}/CN=Pass Type ID: ${passTypeId}/OU=TEAMID0000/O=Tierpass Dev/C=US`,
    '-out',
    csr,
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    join(dir, 'wwdr.pem'),
    '-CAkey',
    join(dir, 'wwdr-key.pem'),
    '-CAcreateserial',
    '-days',
    String(days),
    '-sha256',
    '-out',
    join(dir, 'signerCert.pem'),
  ]);
}
