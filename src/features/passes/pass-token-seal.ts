/**
 * Sealing of the pass tokens issued before tokens were derived (migration 021, decision 0021):
 * they cannot be derived again and Apple forbids changing them, so they are kept, encrypted
 * (AES-256-GCM) under a key derived from the link secret, never in plain text.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** Starts every sealed token (a plain legacy token is base64url, without dots). */
export const SEALED_PREFIX = 'sealed.v1.';

/** Encrypts and decrypts legacy pass tokens. */
export class PassTokenSeal {
  private readonly key: Buffer;

  constructor(linkSecret: string) {
    this.key = createHmac('sha256', linkSecret).update('pass-token-seal.v1').digest();
  }

  /** True when `stored` is a sealed token (not one still in plain text). */
  static isSealed(stored: string): boolean {
    return stored.startsWith(SEALED_PREFIX);
  }

  /** `sealed.v1.<iv>.<ciphertext>.<tag>`, base64url parts. */
  seal(token: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${[iv, data, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.')}`;
  }

  /** The token of a stored value: opened when sealed, as is otherwise (not sealed yet). */
  open(stored: string): string {
    if (!PassTokenSeal.isSealed(stored)) return stored;
    const [iv, data, tag] = stored
      .slice(SEALED_PREFIX.length)
      .split('.')
      .map((p) => Buffer.from(p, 'base64url'));
    if (!iv || !data || !tag) throw new Error('malformed sealed pass token');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  }
}
