import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadSecretKeys,
  parseSecretKeys,
  SecretBox,
  SecretOpenError,
} from '../../src/integrations/secrets/secret-box.js';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('SecretBox', () => {
  it('seals so the plain value is not in the stored form, and opens it again', () => {
    const box = new SecretBox([key('k1')]);
    const sealed = box.seal('shpat_0123456789abcdef', 'shopify:p1');
    expect(sealed.startsWith('sb1.k1.')).toBe(true);
    expect(sealed).not.toContain('shpat_');
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
    expect(box.open(sealed, 'shopify:p1')).toBe('shpat_0123456789abcdef');
  });

  it('refuses another context, a tampered value and an unknown key', () => {
    const box = new SecretBox([key('k1')]);
    const sealed = box.seal('secret', 'webhook:p1:w1');
    expect(() => box.open(sealed, 'webhook:p2:w1')).toThrow(SecretOpenError);
    const parts = sealed.split('.');
    parts[4] = Buffer.from('other').toString('base64url');
    expect(() => box.open(parts.join('.'), 'webhook:p1:w1')).toThrow(SecretOpenError);
    expect(() => new SecretBox([key('k2')]).open(sealed, 'webhook:p1:w1')).toThrow(/not in the keyring/);
    expect(() => box.open('plain', 'webhook:p1:w1')).toThrow(SecretOpenError);
  });

  it('rotates: an older key still opens, and its values need resealing', () => {
    const old = key('k1');
    const sealed = new SecretBox([old]).seal('secret', 'c');
    const rotated = new SecretBox([key('k2'), old]);
    expect(rotated.open(sealed, 'c')).toBe('secret');
    expect(rotated.needsReseal(sealed)).toBe(true);
    expect(rotated.needsReseal(rotated.seal('secret', 'c'))).toBe(false);
  });

  it('parses SECRETS_KEYS and refuses bad keys', () => {
    const a = randomBytes(32).toString('base64');
    const b = randomBytes(32).toString('base64');
    expect(parseSecretKeys(`new:${a}, old:${b}`).map((k) => k.id)).toEqual(['new', 'old']);
    expect(() => parseSecretKeys('nokey')).toThrow(/<id>:<base64 key>/);
    expect(() => parseSecretKeys(`k:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => new SecretBox([])).toThrow(/empty/);
  });

  it('generates one key into the data directory and keeps it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secret-keys-'));
    try {
      const file = join(dir, 'sub', 'secrets-key');
      const [first, second] = await Promise.all([
        loadSecretKeys(undefined, file),
        loadSecretKeys(undefined, file),
      ]);
      expect(first?.[0]?.key.equals(second?.[0]?.key ?? Buffer.alloc(0))).toBe(true);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const again = await loadSecretKeys(undefined, file);
      expect(again[0]?.key.equals(first?.[0]?.key ?? Buffer.alloc(0))).toBe(true);
      expect((await readFile(file, 'utf8')).startsWith('k1:')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
