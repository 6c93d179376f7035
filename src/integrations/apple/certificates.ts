/** Apple Wallet signing certificates: reading them, describing them, warning before they expire. */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** PEM contents of the three files passkit-generator needs. */
export interface PassCertificates {
  /** Pass Type ID certificate (PEM). */
  signerCert: string;
  /** Its private key (PEM). */
  signerKey: string;
  /** Apple WWDR intermediate certificate (PEM). */
  wwdr: string;
  /** Passphrase of an encrypted signer key. */
  signerKeyPassphrase?: string;
}

/** File names inside the certificates directory (certs.example/README.md). */
export const CERT_FILES = {
  signerCert: 'signerCert.pem',
  signerKey: 'signerKey.pem',
  wwdr: 'wwdr.pem',
} as const;

/** Read signerCert.pem, signerKey.pem and wwdr.pem from `dir`. */
export async function readPassCertificates(dir: string, passphrase?: string): Promise<PassCertificates> {
  const [signerCert, signerKey, wwdr] = await Promise.all(
    [CERT_FILES.signerCert, CERT_FILES.signerKey, CERT_FILES.wwdr].map((f) => readFile(join(dir, f), 'utf8')),
  );
  return {
    signerCert: signerCert as string,
    signerKey: signerKey as string,
    wwdr: wwdr as string,
    ...(passphrase ? { signerKeyPassphrase: passphrase } : {}),
  };
}

/** What the start-up log says about one certificate. */
export interface CertificateSummary {
  /** Which file: signerCert or wwdr. */
  name: string;
  /** Subject distinguished name, one attribute per line as node prints it. */
  subject: string;
  /** Issuer distinguished name. */
  issuer: string;
  /** End of validity. */
  validTo: Date;
  /** The certificate's user id (UID), which on a Pass Type ID certificate is the pass type id. */
  uid: string | null;
}

/** Subject, issuer, expiry and UID of the signer and WWDR certificates. */
export function describeCertificates(certs: PassCertificates): CertificateSummary[] {
  return (['signerCert', 'wwdr'] as const).map((name) => {
    const x = new X509Certificate(certs[name]);
    return {
      name,
      subject: x.subject.replace(/\n/g, ', '),
      issuer: x.issuer.replace(/\n/g, ', '),
      validTo: new Date(x.validTo),
      uid: /^UID=(.+)$/m.exec(x.subject)?.[1] ?? null,
    };
  });
}

/** One line per certificate that has expired or expires within `withinDays` of `now`. */
export function expiryWarnings(certs: readonly CertificateSummary[], now: Date, withinDays = 30): string[] {
  const dayMs = 86_400_000;
  const warnings: string[] = [];
  for (const c of certs) {
    const left = c.validTo.getTime() - now.getTime();
    if (left <= 0) warnings.push(`${c.name} (${c.subject}) expired on ${c.validTo.toISOString()}`);
    else if (left <= withinDays * dayMs) {
      const days = Math.ceil(left / dayMs);
      warnings.push(
        `${c.name} (${c.subject}) expires in ${days} day${days === 1 ? '' : 's'} (${c.validTo.toISOString()})`,
      );
    }
  }
  return warnings;
}
