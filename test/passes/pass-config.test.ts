import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import { loadLinkSecret, PassLinkSigner } from '../../src/features/passes/pass-links.js';

describe('Apple Wallet configuration', () => {
  it('defaults to a development PKI under DATA_DIR', () => {
    const c = loadConfig({ DATA_DIR: '/srv/tierpass' });
    expect(c.apple).toEqual({
      passTypeId: 'pass.dev.tierpass',
      teamId: 'DEVTEAM000',
      certsDir: undefined,
      keyPassphrase: undefined,
      devCertsDir: '/srv/tierpass/dev-certs',
    });
    expect(c.passLinkSecret).toBeUndefined();
    expect(c.passCacheEntries).toBe(2000);
  });

  it('needs the pass type and team ids with real certificates, and checks their shape', () => {
    expect(() => loadConfig({ APPLE_CERTS_DIR: '/certs' })).toThrow(/APPLE_PASS_TYPE_ID and APPLE_TEAM_ID/);
    expect(() => loadConfig({ APPLE_PASS_TYPE_ID: 'com.example' })).toThrow(ConfigError);
    expect(() => loadConfig({ APPLE_TEAM_ID: 'abc' })).toThrow(/APPLE_TEAM_ID/);
    expect(() => loadConfig({ PASS_LINK_SECRET: 'short' })).toThrow(/PASS_LINK_SECRET/);
    const c = loadConfig({
      APPLE_CERTS_DIR: '/certs',
      APPLE_PASS_TYPE_ID: 'pass.com.example.loyalty',
      APPLE_TEAM_ID: 'ABCDE12345',
      // Real certificates need an https PUBLIC_URL (public-url-https.test.ts).
      PUBLIC_URL: 'https://passes.example.com',
    });
    expect(c.apple).toMatchObject({
      certsDir: '/certs',
      passTypeId: 'pass.com.example.loyalty',
      teamId: 'ABCDE12345',
    });
  });
});

describe('pass link secret', () => {
  it('is generated once and kept, unless configured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tierpass-secret-'));
    try {
      const file = join(dir, 'sub', 'pass-link-secret');
      const first = await loadLinkSecret(undefined, file);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(await loadLinkSecret(undefined, file)).toBe(first);
      expect((await readFile(file, 'utf8')).trim()).toBe(first);
      expect(await loadLinkSecret('x'.repeat(32), file)).toBe('x'.repeat(32));
      const token = new PassLinkSigner(first).sign({ programId: 'p', customerId: 'c' });
      expect(new PassLinkSigner(first).verify(token)).toEqual({ programId: 'p', customerId: 'c' });
      expect(new PassLinkSigner('y'.repeat(32)).verify(token)).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
