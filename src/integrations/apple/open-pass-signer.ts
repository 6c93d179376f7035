/** Start-up: the configured Apple certificates, or the development PKI when none are configured. */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import {
  type CertificateSummary,
  describeCertificates,
  expiryWarnings,
  readPassCertificates,
} from './certificates.js';
import { DEV_ROOT_FILE, ensureDevPki } from './dev-pki.js';
import { createNativePassSigner } from './native-pass-signer.js';
import type { PassSigner } from './pass-signer.js';

/** Apple Wallet settings from the config. */
export interface AppleSettings {
  /** Pass Type ID (pass.json passTypeIdentifier). */
  passTypeId: string;
  /** Apple team id. */
  teamId: string;
  /** Directory with real certificates; undefined → dev PKI. */
  certsDir: string | undefined;
  /** Passphrase of an encrypted signer key. */
  keyPassphrase: string | undefined;
  /** Where the dev PKI lives when no certificates are configured. */
  devCertsDir: string;
}

/** A ready signer and where its trust anchor is (dev PKI only). */
export interface OpenedSigner {
  /** The signer. */
  signer: PassSigner;
  /** Root CA of the dev PKI; null with real Apple certificates. */
  devRootCa: string | null;
  /** The signer and WWDR certificates (subject, expiry) for the wallet health panel. */
  certificates: CertificateSummary[];
}

/** Load certificates (creating the dev PKI if needed), log their subjects and expiry, build the signer. */
export async function openPassSigner(
  settings: AppleSettings,
  logger: Logger,
  clock: Clock,
): Promise<OpenedSigner> {
  let dir = settings.certsDir;
  let devRootCa: string | null = null;
  if (!dir) {
    dir = settings.devCertsDir;
    const { created } = await ensureDevPki(dir, settings.passTypeId, settings.teamId);
    devRootCa = join(dir, DEV_ROOT_FILE);
    logger.warn(
      { dir, created },
      'APPLE_CERTS_DIR is not set: signing passes with a development PKI (valid signatures, not installable on devices)',
    );
  }
  const certificates = await readPassCertificates(dir, settings.keyPassphrase);
  const summaries = describeCertificates(certificates);
  for (const c of summaries) {
    logger.info(
      { certificate: c.name, subject: c.subject, issuer: c.issuer, validTo: c.validTo },
      'Apple Wallet certificate',
    );
  }
  for (const w of expiryWarnings(summaries, clock.now())) logger.warn(`Apple Wallet certificate: ${w}`);
  const uid = summaries.find((c) => c.name === 'signerCert')?.uid;
  if (uid && uid !== settings.passTypeId) {
    logger.warn(
      { certificateUid: uid, passTypeId: settings.passTypeId },
      'APPLE_PASS_TYPE_ID differs from the signer certificate UID: Wallet will reject the passes',
    );
  }
  // Native RSA through WebCrypto (decision 0039): a signer key it cannot import fails start-up here.
  const signer = await createNativePassSigner({
    certificates,
    passTypeIdentifier: settings.passTypeId,
    teamIdentifier: settings.teamId,
    now: () => clock.now(),
  });
  return { signer, devRootCa, certificates: summaries };
}
