/**
 * Third-party credentials at rest (issue 15, item 2): webhook signing secrets, Shopify access
 * tokens and webhook secrets, Klaviyo keys. Each is stored sealed with AES-256-GCM under a
 * key of the keyring, bound to where it is stored (the `context`: a sealed value copied to another
 * row or program does not open), and tagged with its key's id so keys can be rotated: values
 * sealed under an older key still open while `needsReseal` tells the re-sealing job which to
 * rewrite under the current key.
 *
 * Sealed form: `sb1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Starts every sealed value. */
export const SEALED_SECRET_PREFIX = 'sb1.';

/** One key of the keyring: a short id and 32 random bytes. */
export interface SecretKey {
  id: string;
  key: Buffer;
}

/** A sealed value that cannot be opened: unknown key, wrong context or tampered bytes. */
export class SecretOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretOpenError';
  }
}

/** What features use to keep a credential: seal before storing, open when using. */
export interface SecretSealer {
  /** Seal `plain` for the place named by `context` (e.g. `webhook:<programId>:<webhookId>`). */
  seal(plain: string, context: string): string;
  /** The plain value of `sealed`, stored at `context`; throws SecretOpenError. */
  open(sealed: string, context: string): string;
  /** True when `sealed` is under an older key than the current one (or not sealed at all). */
  needsReseal(sealed: string): boolean;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;

/** AES-256-GCM sealing under a keyring whose first key is the current one. */
export class SecretBox implements SecretSealer {
  private readonly keys: Map<string, Buffer>;
  private readonly current: SecretKey;

  constructor(keyring: readonly SecretKey[]) {
    const [current] = keyring;
    if (!current) throw new Error('the secret keyring is empty');
    this.keys = new Map();
    for (const k of keyring) {
      if (!KEY_ID.test(k.id)) throw new Error(`secret key id "${k.id}" must be 1-16 of A-Z a-z 0-9 _ -`);
      if (k.key.length !== 32) throw new Error(`secret key "${k.id}" must be 32 bytes`);
      if (this.keys.has(k.id)) throw new Error(`secret key id "${k.id}" is used twice`);
      this.keys.set(k.id, k.key);
    }
    this.current = current;
  }

  /** Id of the key new values are sealed under. */
  get currentKeyId(): string {
    return this.current.id;
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(`${this.current.id}\0${context}`, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const parts = [iv, data, cipher.getAuthTag()].map((b) => b.toString('base64url'));
    return `${SEALED_SECRET_PREFIX}${this.current.id}.${parts.join('.')}`;
  }

  open(sealed: string, context: string): string {
    if (!sealed.startsWith(SEALED_SECRET_PREFIX)) throw new SecretOpenError('value is not sealed');
    const [keyId, iv, data, tag, extra] = sealed.slice(SEALED_SECRET_PREFIX.length).split('.');
    if (
      keyId === undefined ||
      iv === undefined ||
      data === undefined ||
      tag === undefined ||
      extra !== undefined
    ) {
      throw new SecretOpenError('malformed sealed value');
    }
    const key = this.keys.get(keyId);
    if (!key) throw new SecretOpenError(`sealed under key "${keyId}", which is not in the keyring`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`${keyId}\0${context}`, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretOpenError('sealed value does not open (tampered, or stored for another place)');
    }
  }

  needsReseal(sealed: string): boolean {
    return !sealed.startsWith(`${SEALED_SECRET_PREFIX}${this.current.id}.`);
  }
}

/**
 * Parse `SECRETS_KEYS`: comma-separated `<id>:<base64 or base64url of 32 bytes>`, current key
 * first, older keys after it (kept until everything is re-sealed).
 */
export function parseSecretKeys(value: string): SecretKey[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((item) => {
      const at = item.indexOf(':');
      if (at <= 0) throw new Error('each secret key must be written <id>:<base64 key>');
      const id = item.slice(0, at);
      const key = Buffer.from(item.slice(at + 1), 'base64');
      if (!KEY_ID.test(id)) throw new Error(`secret key id "${id}" must be 1-16 of A-Z a-z 0-9 _ -`);
      if (key.length !== 32) throw new Error(`secret key "${id}" must decode to 32 bytes`);
      return { id, key };
    });
}

/**
 * The keyring: the configured keys, or (the embedded default) one key generated once into
 * `file` under the data directory, as the pass-link secret is.
 */
export async function loadSecretKeys(configured: string | undefined, file: string): Promise<SecretKey[]> {
  if (configured) return parseSecretKeys(configured);
  try {
    return parseSecretKeys(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const line = `k1:${randomBytes(32).toString('base64')}`;
  await mkdir(dirname(file), { recursive: true });
  try {
    // 'wx': when two processes start at once, the second keeps the first one's key.
    await writeFile(file, `${line}\n`, { mode: 0o600, flag: 'wx' });
    return parseSecretKeys(line);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parseSecretKeys(await readFile(file, 'utf8'));
  }
}
