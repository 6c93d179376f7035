/**
 * PassSigner on native crypto (decision 0039): the manifest, the PKCS#7 detached signature and the
 * ZIP written here, the RSA signature made by WebCrypto (OpenSSL, on libuv's thread pool), so a
 * build costs the event loop well under a millisecond and the library's pure-JavaScript RSA
 * (node-forge, ~28 ms on the event loop) is gone from the request path.
 */
import {
  createHash,
  createPrivateKey,
  type KeyObject,
  sign as signInline,
  webcrypto,
  X509Certificate,
} from 'node:crypto';
import { EOL } from 'node:os';
import { crc32 } from 'node:zlib';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { PassCertificates } from './certificates.js';
import type { PassBundle, PassSigner } from './pass-signer.js';

type CryptoKey = webcrypto.CryptoKey;

/** CMS object identifiers (RFC 5652, PKCS#9). */
const OID = {
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  signedData: '1.2.840.113549.1.7.2',
} as const;

/** `"key" = "value";` lines, one per entry (the `.strings` format), with quotes, backslashes and newlines escaped. */
export function passStrings(strings: Record<string, string>): Buffer {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return Buffer.from(
    Object.entries(strings)
      .map(([k, v]) => `"${esc(k)}" = "${esc(v)}";`)
      .join(EOL),
  );
}

/** The files of a pass before its manifest: pass.json, the images, one pass.strings per language. */
export function passFiles(bundle: PassBundle): [string, Buffer][] {
  const files: [string, Buffer][] = [['pass.json', Buffer.from(JSON.stringify(bundle.passJson))]];
  for (const [name, data] of Object.entries(bundle.files)) {
    if (name === 'pass.json' || name === 'manifest.json' || name === 'signature') continue;
    files.push([name, data]);
  }
  for (const [lang, strings] of Object.entries(bundle.localizations)) {
    // An empty strings file is left out, as passkit-generator does.
    if (Object.keys(strings).length > 0) files.push([`${lang}.lproj/pass.strings`, passStrings(strings)]);
  }
  return files;
}

/** manifest.json: the SHA-1 of every file by path (Wallet's manifest format). */
export function passManifest(files: readonly [string, Buffer][]): Buffer {
  const manifest: Record<string, string> = {};
  for (const [name, data] of files) manifest[name] = createHash('sha1').update(data).digest('hex');
  return Buffer.from(JSON.stringify(manifest));
}

/** MS-DOS date and time of a ZIP entry (local time fields, 2-second resolution). */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/**
 * A ZIP archive of stored (uncompressed) entries, like passkit-generator's (do-not-zip): pass
 * images are PNGs already, and deflating the rest would save a few hundred bytes for CPU time.
 */
export function zipStored(files: readonly [string, Buffer][], modified: Date): Buffer {
  const { time, date } = dosDateTime(modified);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4); // version needed: 1.0
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by: MS-DOS, 2.0
    central.writeUInt16LE(10, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    // extra, comment, disk, internal and external attributes: 0
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/**
 * What every signature shares, made once per signer (not per pass): the imported key and the DER
 * of the certificates, the signer identifier and the algorithm identifiers, encoded by pkijs.
 */
export interface PassSigningKey {
  /** The signer's RSA key, imported for RSASSA-PKCS1-v1_5 with SHA-256, not extractable. */
  key: CryptoKey;
  /** The same key for a synchronous signature on the calling thread (`rsa: 'inline'`). */
  keyObject: KeyObject;
  /** `[0] IMPLICIT CertificateSet`: the WWDR intermediate and the signer certificate. */
  certificates: Uint8Array;
  /** `IssuerAndSerialNumber` of the signer certificate. */
  sid: Uint8Array;
  /** `AlgorithmIdentifier` sha256. */
  digestAlgorithm: Uint8Array;
  /** `AlgorithmIdentifier` sha256WithRSAEncryption. */
  signatureAlgorithm: Uint8Array;
  /** `EncapsulatedContentInfo` of detached data (no content). */
  encapContentInfo: Uint8Array;
  /** The content-type signed attribute (id-data). */
  contentTypeAttribute: Uint8Array;
}

/** The DER bytes of a PEM certificate (throws on anything else). */
function certificateDer(pem: string): Uint8Array {
  const der = new X509Certificate(pem).raw;
  return new Uint8Array(der.buffer, der.byteOffset, der.byteLength);
}

/** DER of an asn1js or pkijs schema. */
function ber(v: { toBER(sizeOnly?: boolean): ArrayBuffer }): Uint8Array {
  return new Uint8Array(v.toBER(false));
}

/** One DER element: `tag`, definite length, then `parts` concatenated. */
function tlv(tag: number, parts: readonly Uint8Array[]): Buffer {
  const length = parts.reduce((n, p) => n + p.length, 0);
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), ...parts]);
}

const INTEGER_ONE = Uint8Array.of(0x02, 0x01, 0x01);

/** Parse the certificates and import the key; throws a clear error for a key it cannot use. */
export async function importSigningKey(certificates: PassCertificates): Promise<PassSigningKey> {
  let keyObject: KeyObject;
  let pkcs8: Buffer;
  try {
    keyObject = createPrivateKey({
      key: certificates.signerKey,
      ...(certificates.signerKeyPassphrase ? { passphrase: certificates.signerKeyPassphrase } : {}),
    });
    pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  } catch (err) {
    throw new Error(`the pass signer key cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const key = await webcrypto.subtle.importKey(
    'pkcs8',
    pkcs8,
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const signerDer = certificateDer(certificates.signerCert);
  const signer = pkijs.Certificate.fromBER(signerDer);
  const algorithm = (oid: string) =>
    ber(new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: new asn1js.Null() }).toSchema());
  return {
    key,
    keyObject,
    certificates: tlv(0xa0, [certificateDer(certificates.wwdr), signerDer]),
    sid: ber(
      new pkijs.IssuerAndSerialNumber({
        issuer: signer.issuer,
        serialNumber: signer.serialNumber,
      }).toSchema(),
    ),
    digestAlgorithm: algorithm(OID.sha256),
    signatureAlgorithm: algorithm(OID.sha256WithRSA),
    encapContentInfo: ber(new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }).toSchema()),
    contentTypeAttribute: ber(
      new pkijs.Attribute({
        type: OID.contentType,
        values: [new asn1js.ObjectIdentifier({ value: OID.data })],
      }).toSchema(),
    ),
  };
}

/**
 * The DER PKCS#7 (CMS SignedData, RFC 5652) detached signature of `manifest`: SHA-256 digest,
 * signed attributes content type, signing time and message digest, the WWDR and signer
 * certificates included. What `openssl smime -verify -binary -inform DER -content manifest.json`
 * checks. The constant parts come encoded from start-up (pkijs re-encoding the two certificates
 * field by field costs ~2 ms each); the RSA signature is WebCrypto's, off the event loop, or with
 * `rsa: 'inline'` made synchronously on the calling thread (a pass fetch thread of its own, 0054).
 */
export async function signManifest(
  manifest: Buffer,
  key: PassSigningKey,
  signingTime: Date,
  rsa: RsaPlacement = 'threadpool',
): Promise<Buffer> {
  const digest = createHash('sha256').update(manifest).digest();
  // DER orders a SET OF by encoding: these three are 24, 28 and 47 bytes long, so already sorted.
  const attributes = [
    key.contentTypeAttribute,
    ber(
      new pkijs.Attribute({
        type: OID.signingTime,
        values: [new asn1js.UTCTime({ valueDate: signingTime })],
      }).toSchema(),
    ),
    ber(
      new pkijs.Attribute({
        type: OID.messageDigest,
        values: [new asn1js.OctetString({ valueHex: digest })],
      }).toSchema(),
    ),
  ];
  // The signature covers the attributes as a SET (tag 0x31); they are stored as [0] IMPLICIT.
  const signed = tlv(0x31, attributes);
  const signature =
    rsa === 'inline'
      ? signInline('sha256', signed, key.keyObject)
      : await webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', key.key, signed);
  const signerInfo = tlv(0x30, [
    INTEGER_ONE,
    key.sid,
    key.digestAlgorithm,
    tlv(0xa0, attributes),
    key.signatureAlgorithm,
    tlv(0x04, [new Uint8Array(signature)]),
  ]);
  const signedData = tlv(0x30, [
    INTEGER_ONE,
    tlv(0x31, [key.digestAlgorithm]),
    key.encapContentInfo,
    key.certificates,
    tlv(0x31, [signerInfo]),
  ]);
  return tlv(0x30, [ber(new asn1js.ObjectIdentifier({ value: OID.signedData })), tlv(0xa0, [signedData])]);
}

/**
 * Where the RSA signature runs: `threadpool`, WebCrypto on libuv's thread pool (the event loop
 * stays free); `inline`, synchronously on the calling thread, for a thread that does nothing else
 * and runs at a lower OS priority (the pool's threads would sign at the process's priority).
 */
export type RsaPlacement = 'threadpool' | 'inline';

/** At most `limit` calls of `fn` running at once; the rest wait their turn in order. */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; otherwise it is freed.
      if (next) next();
      else this.running -= 1;
    }
  }
}

/** A native signer for one Pass Type ID and its certificates. */
export async function createNativePassSigner(opts: {
  certificates: PassCertificates;
  passTypeIdentifier: string;
  teamIdentifier: string;
  /** Signing time of each signature (and the ZIP entries' dates). */
  now: () => Date;
  /**
   * Signatures in flight at once (default 2): each holds a libuv thread-pool thread, which file
   * reads and DNS lookups share, and a burst must not queue them behind hundreds of signatures.
   */
  concurrency?: number;
  /** Where the RSA signature runs (default `threadpool`). */
  rsa?: RsaPlacement;
}): Promise<PassSigner> {
  const key = await importSigningKey(opts.certificates);
  const gate = new Gate(Math.max(1, opts.concurrency ?? 2));
  return {
    passTypeIdentifier: opts.passTypeIdentifier,
    teamIdentifier: opts.teamIdentifier,
    sign(bundle: PassBundle): Promise<Buffer> {
      return gate.run(async () => {
        try {
          const now = opts.now();
          const files = passFiles(bundle);
          const manifest = passManifest(files);
          const signature = await signManifest(manifest, key, now, opts.rsa);
          files.push(['manifest.json', manifest], ['signature', signature]);
          return zipStored(files, now);
        } catch (err) {
          // A bad template or key is a server fault: it surfaces as a 500 whose log keeps the cause.
          throw new Error(`the pass could not be signed: ${(err as Error).message}`, { cause: err });
        }
      });
    },
  };
}
