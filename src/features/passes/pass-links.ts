/**
 * Shopper links `<PUBLIC_URL>/passes/<token>`: the token names a program and a customer and
 * carries an HMAC-SHA256 over them, so the page needs no API key and cannot be forged.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassTokenSeal } from './pass-token-seal.js';

/** Who a valid link is for. */
export interface LinkSubject {
  /** The program the link was made for. */
  programId: string;
  /** The merchant's customer id. */
  customerId: string;
}

/** `<payload>.<mac>`: unpadded base64url, the MAC 43 characters (32 bytes). */
const CANONICAL_TOKEN = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

/** The link secret's uses: signs and checks shopper link tokens, derives and seals pass tokens. */
export class PassLinkSigner {
  private readonly tokenSeal: PassTokenSeal;

  constructor(private readonly secret: string) {
    this.tokenSeal = new PassTokenSeal(secret);
  }

  /** A pass token from before migration 021, encrypted under a key derived from the secret. */
  sealToken(token: string): string {
    return this.tokenSeal.seal(token);
  }

  /** The token of a stored legacy value (sealed, or still plain); throws when the secret changed. */
  openToken(stored: string): string {
    return this.tokenSeal.open(stored);
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.secret).update(`pass-link.v1.${payload}`).digest();
  }

  /**
   * The PassKit authentication token of the pass with this serial: derived rather than random,
   * so only its hash is stored and every rebuild of the pass carries the same token (0021).
   * 256 bits, base64url (Apple asks for at least 16 characters).
   */
  passAuthToken(serial: string): string {
    return createHmac('sha256', this.secret).update(`pass-auth.v1.${serial}`).digest('base64url');
  }

  /** `<payload>.<mac>`, both base64url. */
  sign(subject: LinkSubject): string {
    const payload = Buffer.from(JSON.stringify([subject.programId, subject.customerId])).toString(
      'base64url',
    );
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  /**
   * The subject of a genuine token; null for anything else. Only the one spelling `sign` makes
   * is genuine: the MAC is compared as text, because Node's base64url decoder skips stray
   * characters (`!`), padding (`=`) and unused trailing bits, so comparing decoded bytes let
   * one link have many spellings.
   */
  verify(token: string): LinkSubject | null {
    const m = CANONICAL_TOKEN.exec(token);
    if (!m) return null;
    const payload = m[1] as string;
    const given = Buffer.from(m[2] as string, 'latin1');
    const expected = Buffer.from(this.mac(payload).toString('base64url'), 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
        return { programId: value[0] as string, customerId: value[1] as string };
      }
    } catch {
      // A genuine MAC over malformed JSON cannot happen; treat it as invalid anyway.
    }
    return null;
  }
}

/**
 * The configured secret, or one generated on first start and kept in `file` (mode 600) so
 * links survive restarts. Several instances must share PASS_LINK_SECRET instead.
 */
export async function loadLinkSecret(configured: string | undefined, file: string): Promise<string> {
  if (configured) return configured;
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 32) return stored;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  try {
    // 'wx': when two processes start at once, the second keeps the first one's secret.
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readFile(file, 'utf8')).trim();
  }
}

/** SHA-256 (hex) of a pass authentication token: what the passes table stores. */
export function hashPassToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
