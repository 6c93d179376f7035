/**
 * Apple Wallet only calls an https `webServiceURL` (issue 15 item 4, docs/decisions/0040):
 * real certificates with a non-https PUBLIC_URL are refused at start with a clear message; the
 * development certificates start with a warning. Through loadConfig and the real entry point.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, configWarnings, loadConfig } from '../../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REAL = {
  APPLE_CERTS_DIR: '/certs',
  APPLE_PASS_TYPE_ID: 'pass.com.example.loyalty',
  APPLE_TEAM_ID: 'ABCDE12345',
};

describe('PUBLIC_URL and Apple certificates', () => {
  it('refuses real certificates with an http (or default) PUBLIC_URL, naming the variable and why', () => {
    for (const env of [{ ...REAL, PUBLIC_URL: 'http://passes.example.com' }, REAL]) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(
        /PUBLIC_URL: must be an https:\/\/ URL when APPLE_CERTS_DIR is set/,
      );
      expect((error as Error).message).toMatch(/never update/);
    }
    const ok = loadConfig({ ...REAL, PUBLIC_URL: 'https://passes.example.com' });
    expect(ok.publicUrl).toBe('https://passes.example.com');
    expect(configWarnings(ok)).toEqual([]);
  });

  it('warns with the development certificates and an http PUBLIC_URL', () => {
    const dev = loadConfig({ PUBLIC_URL: 'http://localhost:3000' });
    const warnings = configWarnings(dev);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/PUBLIC_URL http:\/\/localhost:3000 is not https/);
    expect(configWarnings(loadConfig({ PUBLIC_URL: 'https://passes.example.com' }))).toEqual([]);
  });
});

describe('the entry point', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tierpass-https-'));
  });
  afterEach(() => {
    if (child && child.exitCode === null && child.pid) process.kill(child.pid);
    child = undefined;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** `src/main.ts` with `env`; resolves with its output once `done(output)` or it exits. */
  function run(env: Record<string, string>, done: (output: string) => boolean) {
    const { NODE_OPTIONS: _jestOnly, DATABASE_URL: _server, ...base } = process.env;
    const started = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...base, DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let output = '';
    return new Promise<{ output: string; code: number | null }>((resolve) => {
      const seen = (c: Buffer) => {
        output += c.toString();
        if (done(output)) resolve({ output, code: null });
      };
      started.stdout?.on('data', seen);
      started.stderr?.on('data', seen);
      started.on('exit', (code) => resolve({ output, code }));
    });
  }

  it('exits 2 with the message when real certificates meet an http PUBLIC_URL', async () => {
    const { output, code } = await run({ ...REAL, PUBLIC_URL: 'http://passes.example.com' }, () => false);
    expect(code).toBe(2);
    expect(output).toContain('PUBLIC_URL: must be an https:// URL when APPLE_CERTS_DIR is set');
  }, 60_000);

  it('logs the warning at start with the development certificates', async () => {
    const { output } = await run({ PUBLIC_URL: 'http://localhost:3000' }, (o) => o.includes('is not https'));
    const line = output.split('\n').find((l) => l.includes('is not https')) ?? '';
    expect(JSON.parse(line)).toMatchObject({
      level: 40,
      msg: expect.stringMatching(/^PUBLIC_URL http:\/\/localhost:3000 is not https/),
    });
  }, 60_000);
});
