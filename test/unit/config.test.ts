import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      adminToken: undefined,
      databaseUrl: undefined,
      dataDir: './data',
      publicUrl: 'http://localhost:3000',
      logLevel: 'info',
      groupCommit: { maxSize: 32, concurrency: 2 },
      scheduler: true,
      schedulerTickMs: 60000,
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      ADMIN_TOKEN: 'a-very-long-admin-token',
      DATABASE_URL: 'postgres://u@db:5432/tp',
      DATA_DIR: '/var/lib/tierpass',
      PUBLIC_URL: 'https://loyalty.example.com/',
      LOG_LEVEL: 'warn',
      PG_POOL_SIZE: '5',
      GROUP_COMMIT_SIZE: '1',
      GROUP_COMMIT_CONCURRENCY: '6',
      SCHEDULER: 'off',
      TRUST_PROXY: 'true',
    });
    expect(c).toMatchObject({
      port: 8080,
      adminToken: 'a-very-long-admin-token',
      databaseUrl: 'postgres://u@db:5432/tp',
      publicUrl: 'https://loyalty.example.com',
      logLevel: 'warn',
      pgPoolSize: 5,
      groupCommit: { maxSize: 1, concurrency: 6 },
      scheduler: false,
      trustProxy: true,
    });
  });

  it('keeps two event transactions in flight per process alone, one per worker with several', () => {
    const url = 'postgres://u@db:5432/tp';
    expect(loadConfig({ DATABASE_URL: url }).groupCommit.concurrency).toBe(2);
    expect(loadConfig({ DATABASE_URL: url, WORKERS: '2' }).groupCommit.concurrency).toBe(1);
    expect(
      loadConfig({ DATABASE_URL: url, WORKERS: '2', GROUP_COMMIT_CONCURRENCY: '3' }).groupCommit.concurrency,
    ).toBe(3);
  });

  it('serves pass fetches from a lower-priority thread only when asked, and only with a PostgreSQL server', () => {
    const url = 'postgres://127.0.0.1:5432/test';
    expect(loadConfig({}).passFetchThread).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: url }).passFetchThread).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: url, PASS_FETCH_THREAD: 'on' }).passFetchThread).toEqual({ nice: 10 });
    expect(
      loadConfig({ DATABASE_URL: url, PASS_FETCH_THREAD: 'on', PASS_FETCH_NICE: '19' }).passFetchThread,
    ).toEqual({ nice: 19 });
    expect(loadConfig({ DATABASE_URL: url, PASS_FETCH_THREAD: 'off' }).passFetchThread).toBeUndefined();
    expect(() => loadConfig({ PASS_FETCH_THREAD: 'on' })).toThrow(
      /PASS_FETCH_THREAD: a pass fetch thread needs DATABASE_URL/,
    );
    expect(() => loadConfig({ DATABASE_URL: url, PASS_FETCH_NICE: '20' })).toThrow(/PASS_FETCH_NICE/);
  });

  it('starts a deferred pass fetch after 2 ms without other requests, unless told otherwise', () => {
    expect(loadConfig({}).passFetches).toEqual({ concurrency: 1, maxDeferMs: 250, settleMs: 2 });
    expect(loadConfig({ PASS_FETCH_SETTLE_MS: '0' }).passFetches.settleMs).toBe(0);
    expect(() => loadConfig({ PASS_FETCH_SETTLE_MS: '-1' })).toThrow(/PASS_FETCH_SETTLE_MS/);
  });

  it('refuses group commit limits that are not positive integers', () => {
    expect(() => loadConfig({ GROUP_COMMIT_SIZE: '0' })).toThrow(/GROUP_COMMIT_SIZE/);
    expect(() => loadConfig({ GROUP_COMMIT_CONCURRENCY: '1.5' })).toThrow(/GROUP_COMMIT_CONCURRENCY/);
  });

  it('refuses bad values, naming each variable', () => {
    expect(() =>
      loadConfig({ PORT: 'eighty', ADMIN_TOKEN: 'short', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' }),
    ).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', ADMIN_TOKEN: 'short', DATABASE_URL: 'mysql://x' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT/);
      expect((err as Error).message).toMatch(/ADMIN_TOKEN: must be at least 16 characters/);
      expect((err as Error).message).toMatch(/DATABASE_URL/);
    }
  });

  it('reads SECRETS_KEYS, and refuses a malformed keyring without printing the key', () => {
    const k2 = Buffer.alloc(32, 2).toString('base64');
    const k1 = Buffer.alloc(32, 1).toString('base64');
    expect(loadConfig({}).secretsKeys).toBeUndefined();
    expect(loadConfig({ SECRETS_KEYS: ` k2:${k2}, k1:${k1} ` }).secretsKeys).toBe(`k2:${k2}, k1:${k1}`);
    const short = Buffer.alloc(16, 3).toString('base64');
    for (const [value, message] of [
      [`k1:${short}`, /SECRETS_KEYS: secret key "k1" must decode to 32 bytes/],
      [k1, /SECRETS_KEYS: each secret key must be written <id>:<base64 key>/],
      [`bad id!:${k1}`, /SECRETS_KEYS: secret key id "bad id!" must be/],
      [',', /SECRETS_KEYS: lists no key/],
    ] as const) {
      let thrown: unknown;
      try {
        loadConfig({ SECRETS_KEYS: value });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).not.toContain(k1);
      expect((thrown as Error).message).not.toContain(short);
    }
  });
});
