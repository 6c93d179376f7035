import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LruCache } from '../../src/features/passes/pass-cache.js';
import {
  type CertificateSummary,
  describeCertificates,
  expiryWarnings,
  readPassCertificates,
} from '../../src/integrations/apple/certificates.js';
import { PASS_TYPE_ID, type PassHarness, startPassHarness } from './pass-harness.js';

const day = 86_400_000;
const now = new Date('2026-11-23T12:00:00Z');
const cert = (validTo: Date): CertificateSummary => ({
  name: 'signerCert',
  subject: 'CN=Pass Type ID: pass.x',
  issuer: 'CN=WWDR',
  validTo,
  uid: 'pass.x',
});

describe('certificate expiry warnings', () => {
  it('warns within 30 days and after expiry, not before', () => {
    expect(expiryWarnings([cert(new Date(now.getTime() + 31 * day))], now)).toEqual([]);
    expect(expiryWarnings([cert(new Date(now.getTime() + 30 * day))], now)).toEqual([
      expect.stringContaining('expires in 30 days'),
    ]);
    expect(expiryWarnings([cert(new Date(now.getTime() + 3_600_000))], now)).toEqual([
      expect.stringContaining('expires in 1 day '),
    ]);
    expect(expiryWarnings([cert(new Date(now.getTime() - day))], now)).toEqual([
      expect.stringContaining('expired on'),
    ]);
    expect(expiryWarnings([cert(new Date(now.getTime() + 10 * day))], now, 7)).toEqual([]);
  });
});

describe('development PKI', () => {
  let h: PassHarness;
  beforeAll(async () => {
    h = await startPassHarness();
  });
  afterAll(() => h.close());

  it('has a Pass Type ID signer under a WWDR-like intermediate, and an APNs cert with the push OIDs', async () => {
    const certs = await readPassCertificates(join(h.dir, 'certs'));
    const [signer, wwdr] = describeCertificates(certs);
    expect(signer).toMatchObject({ name: 'signerCert', uid: PASS_TYPE_ID });
    expect(signer?.subject).toContain(`Pass Type ID: ${PASS_TYPE_ID}`);
    expect(wwdr?.subject).toContain('WWDR');
    expect(signer?.validTo.getTime()).toBeGreaterThan(Date.now() + 365 * day);
    const { X509Certificate } = await import('node:crypto');
    const apns = new X509Certificate(await readFile(join(h.dir, 'certs', 'apnsCert.pem')));
    expect(apns.toString()).toBeDefined();
    const der = apns.raw.toString('hex');
    // OID 1.2.840.113635.100.6.3.1 / .2 in DER: 06 0a 2a 86 48 86 f7 63 64 06 03 01|02
    expect(der).toContain('060a2a864886f763640603' + '01');
    expect(der).toContain('060a2a864886f763640603' + '02');
  });
});

describe('LRU cache', () => {
  it('evicts the least recently used entry', () => {
    const c = new LruCache<number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1);
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.size).toBe(2);
    const off = new LruCache<number>(0);
    off.set('a', 1);
    expect(off.get('a')).toBeUndefined();
  });
});

describe('development PKI made by several processes at once', () => {
  it('ends with one consistent set of files, made once', async () => {
    const { mkdtemp, readdir, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { createPublicKey, X509Certificate } = await import('node:crypto');
    const { ensureDevPki, DEV_ROOT_FILE } = await import('../../src/integrations/apple/dev-pki.js');
    const parent = await mkdtemp(join(tmpdir(), 'tierpass-devpki-'));
    const dir = join(parent, 'data', 'dev-certs');
    try {
      // As WORKERS or several instances starting on one fresh DATA_DIR would.
      const results = await Promise.all(
        Array.from({ length: 4 }, () => ensureDevPki(dir, PASS_TYPE_ID, 'TEAMID0000')),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      // No scratch directories left beside it.
      expect(await readdir(join(parent, 'data'))).toEqual(['dev-certs']);
      // The signer key belongs to the signer certificate, and the chain verifies.
      const signer = new X509Certificate(await readFile(join(dir, 'signerCert.pem')));
      const key = createPublicKey(await readFile(join(dir, 'signerKey.pem')));
      expect(signer.publicKey.export({ format: 'pem', type: 'spki' })).toBe(
        key.export({ format: 'pem', type: 'spki' }),
      );
      await promisify(execFile)('openssl', [
        'verify',
        '-CAfile',
        join(dir, DEV_ROOT_FILE),
        '-untrusted',
        join(dir, 'wwdr.pem'),
        join(dir, 'signerCert.pem'),
      ]);
      expect(await ensureDevPki(dir, PASS_TYPE_ID, 'TEAMID0000')).toEqual({ created: false });
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  }, 60_000);
});
