/**
 * The native pass signer (decision 0039): PKCS#7 through WebCrypto, checked by openssl and by an
 * independent parser (pkijs), against the passkit-generator signer it replaces, and for what it
 * leaves the event loop while it signs.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import request from 'supertest';
import { readPassCertificates } from '../../src/integrations/apple/certificates.js';
import { createNativePassSigner, zipStored } from '../../src/integrations/apple/native-pass-signer.js';
import type { PassBundle, PassSigner } from '../../src/integrations/apple/pass-signer.js';
import { createPasskitSigner } from '../../src/integrations/apple/passkit-signer.js';
import { uid } from '../support/harness.js';
import {
  createBronzeGoldProgram,
  fetchPass,
  openPkpass,
  PASS_TYPE_ID,
  type PassHarness,
  startPassHarness,
  verifySignature,
} from './pass-harness.js';
import { unzip } from './unzip.js';

// The signing time comes from the app's clock, to the second.
const NOW = new Date('2026-12-05T09:30:15Z');
let h: PassHarness;
let auth: { Authorization: string };

beforeAll(async () => {
  h = await startPassHarness({ clock: { now: () => NOW } });
  auth = await createBronzeGoldProgram(h);
}, 120_000);
afterAll(() => h.close());

async function customer(): Promise<string> {
  const id = uid('cust');
  await request(h.app)
    .put(`/v1/customers/${id}`)
    .set(auth)
    .send({ name: 'Ada "Countess" Lovelace' })
    .expect(201);
  return id;
}

async function applePass(customerId: string) {
  const res = await fetchPass(h, `/v1/customers/${customerId}/passes/apple`, auth);
  expect(res.status).toBe(200);
  return openPkpass(res.body as Buffer);
}

/** The SignedData of a DER signature, parsed by pkijs (not the code that wrote it). */
function parseSignedData(signature: Buffer): pkijs.SignedData {
  const info = pkijs.ContentInfo.fromBER(new Uint8Array(signature));
  expect(info.contentType).toBe(pkijs.ContentInfo.SIGNED_DATA);
  return new pkijs.SignedData({ schema: info.content });
}

/** A signer on the harness's dev PKI (the same certificates the app signs with). */
async function signerOf(kind: 'native' | 'passkit', concurrency?: number): Promise<PassSigner> {
  const certificates = await readPassCertificates(join(h.dir, 'certs'));
  const opts = { certificates, passTypeIdentifier: PASS_TYPE_ID, teamIdentifier: 'TEAMID0000' };
  return kind === 'native'
    ? createNativePassSigner({ ...opts, now: () => NOW, concurrency })
    : createPasskitSigner(opts);
}

async function sampleBundle(serial: string): Promise<PassBundle> {
  const dir = join(process.cwd(), 'pass-templates/default');
  return {
    passJson: {
      formatVersion: 1,
      passTypeIdentifier: PASS_TYPE_ID,
      teamIdentifier: 'TEAMID0000',
      serialNumber: serial,
      organizationName: 'Maison Lumière',
      description: 'Loyalty card',
      storeCard: {
        primaryFields: [{ key: 'points', label: 'Points', value: 1750 }],
        backFields: [{ key: 'terms', label: 'Terms', value: 'Points expire "after" two years.\nThanks.' }],
      },
      barcodes: [{ format: 'PKBarcodeFormatQR', message: serial, messageEncoding: 'iso-8859-1' }],
    },
    files: {
      'icon.png': await readFile(join(dir, 'icon.png')),
      'logo.png': await readFile(join(dir, 'logo.png')),
    },
    localizations: {
      en: { points: 'Points', quote: 'Say "hi"\\now\nnext line' },
      fr: { points: 'Points fidélité' },
    },
  };
}

describe('native pass signature', () => {
  it('is a detached SHA-256 PKCS#7 over manifest.json with signing time and both certificates, which openssl accepts', async () => {
    const { files } = await applePass(await customer());
    await expect(verifySignature(h, files)).resolves.toMatch(/Verification successful/);

    const signed = parseSignedData(files.signature as Buffer);
    expect(signed.encapContentInfo.eContent).toBeUndefined(); // detached
    expect(signed.digestAlgorithms.map((a) => a.algorithmId)).toEqual(['2.16.840.1.101.3.4.2.1']);
    const subjects = (signed.certificates ?? []).map((c) =>
      (c as pkijs.Certificate).subject.typesAndValues.map((t) => t.value.valueBlock.value).join('/'),
    );
    expect(subjects).toHaveLength(2);
    expect(subjects.some((s) => s.includes('WWDR'))).toBe(true);
    expect(subjects.some((s) => s.includes(`Pass Type ID: ${PASS_TYPE_ID}`))).toBe(true);

    const [signer] = signed.signerInfos;
    expect(signer?.signatureAlgorithm.algorithmId).toBe('1.2.840.113549.1.1.11'); // sha256WithRSA
    const attr = (oid: string) => signer?.signedAttrs?.attributes.find((a) => a.type === oid)?.values[0];
    expect((attr('1.2.840.113549.1.9.3') as asn1js.ObjectIdentifier).valueBlock.toString()).toBe(
      '1.2.840.113549.1.7.1',
    );
    expect((attr('1.2.840.113549.1.9.5') as asn1js.UTCTime).toDate()).toEqual(NOW);
    const digest = Buffer.from((attr('1.2.840.113549.1.9.4') as asn1js.OctetString).valueBlock.valueHexView);
    expect(digest).toEqual(
      createHash('sha256')
        .update(files['manifest.json'] as Buffer)
        .digest(),
    );
  });

  it('fails verification when the manifest is tampered with', async () => {
    const { files } = await applePass(await customer());
    const manifest = JSON.parse((files['manifest.json'] as Buffer).toString('utf8')) as Record<
      string,
      string
    >;
    manifest['icon.png'] = createHash('sha1').update('another icon').digest('hex');
    const tampered = { ...files, 'manifest.json': Buffer.from(JSON.stringify(manifest)) };
    await expect(verifySignature(h, tampered)).rejects.toThrow(/digest failure|verification failure/i);
    // And the untouched one still verifies (the check above is not failing for another reason).
    await expect(verifySignature(h, files)).resolves.toMatch(/Verification successful/);
  });

  it('packages the same files as the passkit-generator signer, with the same manifest hashes', async () => {
    const bundle = await sampleBundle('compare-1');
    const native = unzip(await (await signerOf('native')).sign(bundle));
    const library = unzip(await (await signerOf('passkit')).sign(bundle));
    expect(Object.keys(native).sort()).toEqual(Object.keys(library).sort());
    // passkit-generator re-serialises pass.json (key order, empty field arrays); the content is the bundle's.
    expect(JSON.parse((native['pass.json'] as Buffer).toString('utf8'))).toEqual(bundle.passJson);
    const nativeManifest = JSON.parse((native['manifest.json'] as Buffer).toString('utf8'));
    const libraryManifest = JSON.parse((library['manifest.json'] as Buffer).toString('utf8'));
    for (const f of Object.keys(native).filter(
      (n) => !['pass.json', 'manifest.json', 'signature'].includes(n),
    )) {
      expect(native[f]).toEqual(library[f]);
      expect(nativeManifest[f]).toBe(libraryManifest[f]);
    }
    for (const [f, data] of Object.entries(native)) {
      if (f === 'manifest.json' || f === 'signature') continue;
      expect(nativeManifest[f]).toBe(createHash('sha1').update(data).digest('hex'));
    }
    // The empty French strings file is left out by both; the escapes are the library's.
    expect((native['en.lproj/pass.strings'] as Buffer).toString('utf8')).toBe(
      '"points" = "Points";\n"quote" = "Say \\"hi\\"\\\\now\\nnext line";',
    );
    await expect(verifySignature(h, native)).resolves.toMatch(/Verification successful/);
    await expect(verifySignature(h, library)).resolves.toMatch(/Verification successful/);
  });

  it('writes a ZIP that the reader opens file for file', () => {
    const files: [string, Buffer][] = [
      ['a.txt', Buffer.from('alpha')],
      ['fr.lproj/pass.strings', Buffer.from('"k" = "é";')],
      ['empty', Buffer.alloc(0)],
    ];
    const opened = unzip(zipStored(files, NOW));
    expect(Object.entries(opened)).toEqual(files);
  });
});

describe('first fetch after a change', () => {
  it('signs while the new tag is written, and a signature started ahead of a 304 serves the next fetch', async () => {
    const id = await customer();
    const path = `/v1/customers/${id}/passes/apple`;
    await applePass(id);
    await request(h.app)
      .post(`/v1/customers/${id}/points`)
      .set(auth)
      .set('Idempotency-Key', uid('earn'))
      .send({ points: 40, reason: 'test' })
      .expect(201);
    const builds = h.passes.stats.builds;
    // The client says its copy is from the future: 304, though the new content was being signed.
    const notModified = await fetchPass(h, path, {
      ...auth,
      'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT',
    });
    expect(notModified.status).toBe(304);
    expect(h.passes.stats.builds).toBe(builds + 1);
    const hits = h.passes.stats.cacheHits;
    const { files, pass } = await applePass(id);
    // Served by that signature (cached, or joined while in flight): no second build.
    expect(h.passes.stats.builds).toBe(builds + 1);
    expect(h.passes.stats.cacheHits).toBeGreaterThanOrEqual(hits);
    expect(pass.storeCard.primaryFields[0]).toMatchObject({ value: 40 });
    await expect(verifySignature(h, files)).resolves.toMatch(/Verification successful/);
  });
});

describe('signing and the event loop', () => {
  /** How many event-loop turns (setImmediate) run while `n` passes are signed at once. */
  async function turnsWhileSigning(
    signer: PassSigner,
    n: number,
  ): Promise<{ turns: number; built: Buffer[] }> {
    let turns = 0;
    let done = false;
    const spin = () => {
      if (done) return;
      turns += 1;
      setImmediate(spin);
    };
    setImmediate(spin);
    const bundles = await Promise.all(Array.from({ length: n }, (_, i) => sampleBundle(`burst-${i}`)));
    turns = 0;
    const built = await Promise.all(bundles.map((b) => signer.sign(b)));
    done = true;
    return { turns, built };
  }

  it('lets the event loop run between signatures (the library signs on it, all at once)', async () => {
    const native = await turnsWhileSigning(await signerOf('native', 2), 20);
    // Every signature is awaited off the loop: other callbacks run while a burst signs.
    expect(native.turns).toBeGreaterThan(0);
    for (const body of native.built.slice(0, 3)) {
      await expect(verifySignature(h, unzip(body))).resolves.toMatch(/Verification successful/);
    }
    // The same burst on passkit-generator: node-forge's RSA runs inside sign(), no turn in between.
    const library = await turnsWhileSigning(await signerOf('passkit'), 20);
    expect(library.turns).toBe(0);
  });

  it('answers an order during a burst of first pass fetches, and every pass of the burst verifies', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => customer()));
    const before = h.passes.stats.builds;
    const burst = Promise.all(ids.map((id) => fetchPass(h, `/v1/customers/${id}/passes/apple`, auth)));
    const order = await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('order'), customerId: ids[0], amount: 1250 });
    expect(order.status).toBe(201);
    const passes = await burst;
    expect(passes.map((p) => p.status)).toEqual(ids.map(() => 200));
    expect(h.passes.stats.builds - before).toBeGreaterThanOrEqual(ids.length);
    for (const p of passes) {
      await expect(verifySignature(h, openPkpass(p.body as Buffer).files)).resolves.toMatch(
        /Verification successful/,
      );
    }
  });
});
