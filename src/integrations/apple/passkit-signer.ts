/**
 * PassSigner on passkit-generator 3.6 (node-forge PKCS#7 detached signature over manifest.json):
 * the signer before decision 0039, kept as the reference the native signer is tested against.
 */
import { PKPass } from 'passkit-generator';
import type { PassCertificates } from './certificates.js';
import type { PassBundle, PassSigner } from './pass-signer.js';

/** passkit-generator writes `"key" = "value";` verbatim: escape quotes, backslashes and newlines first. */
function escapeStrings(strings: Record<string, string>): Record<string, string> {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return Object.fromEntries(Object.entries(strings).map(([k, v]) => [esc(k), esc(v)]));
}

/** A signer for one Pass Type ID and its certificates. */
export function createPasskitSigner(opts: {
  certificates: PassCertificates;
  passTypeIdentifier: string;
  teamIdentifier: string;
}): PassSigner {
  const { certificates } = opts;
  return {
    passTypeIdentifier: opts.passTypeIdentifier,
    teamIdentifier: opts.teamIdentifier,
    async sign(bundle: PassBundle): Promise<Buffer> {
      try {
        const pass = new PKPass(
          { ...bundle.files, 'pass.json': Buffer.from(JSON.stringify(bundle.passJson)) },
          {
            signerCert: certificates.signerCert,
            signerKey: certificates.signerKey,
            wwdr: certificates.wwdr,
            signerKeyPassphrase: certificates.signerKeyPassphrase,
          },
        );
        for (const [lang, strings] of Object.entries(bundle.localizations))
          pass.localize(lang, escapeStrings(strings));
        return pass.getAsBuffer();
      } catch (err) {
        // A bad template or key is a server fault: it surfaces as a 500 whose log keeps the cause.
        throw new Error(`passkit-generator could not build the pass: ${(err as Error).message}`, {
          cause: err,
        });
      }
    },
  };
}
