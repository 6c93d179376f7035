/** Google Wallet configuration, key files, ids and start-up reporting (no database). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import { classIdOf, hexColor, idPart, objectIdOf } from '../../src/features/google-wallet/google-content.js';
import { openGoogleWallet } from '../../src/integrations/google/open-google-wallet.js';
import { ServiceAccountError } from '../../src/integrations/google/service-account.js';
import { DEFAULT_WALLET_API_ROOT } from '../../src/integrations/google/wallet-client.js';
import { makeServiceAccount } from './google-stand-in.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierpass-google-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('config', () => {
  it('leaves Google Wallet off when neither the issuer nor the key file is set', () => {
    expect(loadConfig({}).google).toBeUndefined();
  });

  it('reads the issuer, key file, API root, token URL and origins (origins default to PUBLIC_URL)', () => {
    expect(
      loadConfig({
        PUBLIC_URL: 'https://loyalty.example.com/',
        GOOGLE_WALLET_ISSUER_ID: '3388000000012345678',
        GOOGLE_WALLET_KEY_FILE: '/secrets/sa.json',
      }).google,
    ).toEqual({
      issuerId: '3388000000012345678',
      keyFile: '/secrets/sa.json',
      apiRoot: DEFAULT_WALLET_API_ROOT,
      tokenUrl: undefined,
      origins: ['https://loyalty.example.com'],
    });
    expect(
      loadConfig({
        GOOGLE_WALLET_ISSUER_ID: '1',
        GOOGLE_WALLET_KEY_FILE: 'sa.json',
        GOOGLE_WALLET_API_ROOT: 'http://127.0.0.1:9999/walletobjects/v1/',
        GOOGLE_WALLET_TOKEN_URL: 'http://127.0.0.1:9999/token',
        GOOGLE_WALLET_ORIGINS: 'https://a.example, https://b.example/',
      }).google,
    ).toMatchObject({
      apiRoot: 'http://127.0.0.1:9999/walletobjects/v1',
      tokenUrl: 'http://127.0.0.1:9999/token',
      origins: ['https://a.example', 'https://b.example'],
    });
  });

  it('refuses half a configuration and malformed values, naming the variables', () => {
    expect(() => loadConfig({ GOOGLE_WALLET_ISSUER_ID: '123' })).toThrow(/GOOGLE_WALLET_KEY_FILE/);
    expect(() => loadConfig({ GOOGLE_WALLET_KEY_FILE: 'sa.json' })).toThrow(ConfigError);
    expect(() => loadConfig({ GOOGLE_WALLET_ISSUER_ID: 'abc', GOOGLE_WALLET_KEY_FILE: 'x' })).toThrow(
      /GOOGLE_WALLET_ISSUER_ID/,
    );
    expect(() => loadConfig({ GOOGLE_WALLET_API_ROOT: 'ftp://x' })).toThrow(/GOOGLE_WALLET_API_ROOT/);
    expect(() => loadConfig({ GOOGLE_WALLET_ORIGINS: 'https://a.example/path' })).toThrow(
      /GOOGLE_WALLET_ORIGINS/,
    );
  });
});

describe('start-up', () => {
  const logs: { level: string; msg: string; obj?: unknown }[] = [];
  const logger = {
    info: (obj: unknown, msg?: string) => logs.push({ level: 'info', msg: msg ?? String(obj), obj }),
    warn: (obj: unknown, msg?: string) => logs.push({ level: 'warn', msg: msg ?? String(obj), obj }),
  } as never;
  beforeEach(() => {
    logs.length = 0;
  });

  it('reports Google Wallet off, with the answer the endpoint gives', async () => {
    expect(await openGoogleWallet(undefined, logger)).toBeUndefined();
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: expect.stringMatching(/Google Wallet is off.*503 google_wallet_not_configured/),
      }),
    ]);
  });

  it('reports the issuer and service account (never the key)', async () => {
    const sa = await makeServiceAccount(dir);
    const opened = await openGoogleWallet(
      {
        issuerId: '42',
        keyFile: sa.keyFile,
        apiRoot: DEFAULT_WALLET_API_ROOT,
        tokenUrl: undefined,
        origins: ['https://x.example'],
      },
      logger,
    );
    expect(opened?.account.clientEmail).toMatch(/@/);
    expect(logs).toEqual([
      {
        level: 'info',
        msg: 'Google Wallet',
        obj: {
          issuerId: '42',
          serviceAccount: opened?.account.clientEmail,
          keyId: 'test-key-1',
          apiRoot: DEFAULT_WALLET_API_ROOT,
          tokenUrl: 'https://oauth2.googleapis.com/token',
          origins: ['https://x.example'],
        },
      },
    ]);
    expect(JSON.stringify(logs)).not.toContain('PRIVATE KEY');
  });

  it('refuses a missing or broken key file with a clear message', async () => {
    const settings = { issuerId: '42', apiRoot: DEFAULT_WALLET_API_ROOT, tokenUrl: undefined, origins: [] };
    await expect(
      openGoogleWallet({ ...settings, keyFile: join(dir, 'missing.json') }, logger),
    ).rejects.toThrow(/cannot read the service account key file .*ENOENT/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ client_email: 'a@b.c' }));
    await expect(openGoogleWallet({ ...settings, keyFile: bad }, logger)).rejects.toThrow(
      ServiceAccountError,
    );
    await writeFile(
      bad,
      JSON.stringify({
        client_email: 'a@b.c',
        private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      }),
    );
    await expect(openGoogleWallet({ ...settings, keyFile: bad }, logger)).rejects.toThrow(
      /not a readable RSA key/,
    );
  });
});

describe('ids', () => {
  it("keep Google's alphabet and never collide", () => {
    expect(idPart('cust-42')).toBe('cust-42');
    expect(idPart('ada@example.com')).toBe('ada_40example_2ecom');
    expect(idPart('a_b')).toBe('a_5fb');
    expect(idPart('a.b')).not.toBe(idPart('a_2eb'));
    const long = 'x'.repeat(128);
    expect(idPart(long)).toMatch(/^_h[0-9a-f]{40}$/);
    expect(idPart(long)).not.toBe(idPart(`${long.slice(1)}y`));
    for (const id of [classIdOf('1', 'p', 't'), classIdOf('1', 'p', null), objectIdOf('1', 'p', 'a b/c')]) {
      expect(id).toMatch(/^1\.[A-Za-z0-9._-]+$/);
    }
    expect(classIdOf('1', 'p', 'default')).not.toBe(classIdOf('1', 'p', null));
  });

  it('turn pass colours into hex', () => {
    expect(hexColor('rgb(212, 175, 55)')).toBe('#d4af37');
    expect(hexColor(undefined)).toBeUndefined();
  });
});
