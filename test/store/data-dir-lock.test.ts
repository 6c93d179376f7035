/**
 * Issue 10 item 2: the embedded store's data directory is locked for the life of the process.
 * In-process: a second lock is refused naming the holder; a released lock can be taken again.
 * With real service processes: a second one on the same DATA_DIR exits non-zero naming the
 * directory and the holder; after `kill -9` of the first, the next start is not blocked and the
 * data written before is there; a clean shutdown removes the lock.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataDirLockedError, lockDataDir } from '../../src/store/data-dir-lock.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'lock-test-admin-token-0123456789';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lockDataDir in one process', () => {
  it('refuses a second holder, naming this process, and can be taken again once released', async () => {
    const d = join(dir, 'inproc');
    await mkdir(d);
    const lock = await lockDataDir(d);
    const second = await lockDataDir(d).catch((err: unknown) => err);
    expect(second).toBeInstanceOf(DataDirLockedError);
    expect((second as DataDirLockedError).holder).toMatchObject({ pid: process.pid, host: hostname() });
    expect((second as Error).message).toContain(d);
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
    const again = await lockDataDir(d);
    await again.release();
  });

  it('replaces a lock left by a killed process, and of three takers at once exactly one wins', async () => {
    const d = join(dir, 'stale');
    await mkdir(d);
    // A process that took the lock and was killed: the socket file stays, nobody listens on it.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `require('node:net').createServer().listen(${JSON.stringify(join(d, '.tierpass.lock'))}, () => console.log('up'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => holder.stdout?.once('data', resolve));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    expect(existsSync(join(d, '.tierpass.lock'))).toBe(true);

    const takers = await Promise.allSettled([lockDataDir(d), lockDataDir(d), lockDataDir(d)]);
    const won = takers.filter((t) => t.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const t of takers) {
      if (t.status === 'rejected') expect(t.reason).toBeInstanceOf(DataDirLockedError);
    }
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof lockDataDir>>>).value.release();
  });

  it('works for a directory whose path is too long for a Unix socket', async () => {
    const d = join(dir, 'x'.repeat(60), 'y'.repeat(60));
    await mkdir(d, { recursive: true });
    const lock = await lockDataDir(d);
    expect(existsSync(lock.path)).toBe(true);
    await expect(lockDataDir(d)).rejects.toBeInstanceOf(DataDirLockedError);
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Service {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real service (tsx directly, not `npm start`) on the embedded store in `dataDir`. */
async function startService(dataDir: string): Promise<Service> {
  const port = await freePort();
  const { NODE_OPTIONS: _jestOnly, DATABASE_URL: _server, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => {
    text += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, port, output: () => text, exited };
}

/** Resolves once the service answers /healthz; rejects if it exits first. */
async function ready(s: Service): Promise<void> {
  let gone = false;
  void s.exited.then(() => {
    gone = true;
  });
  for (;;) {
    if (gone) throw new Error(`service exited before serving:\n${s.output()}`);
    const ok = await fetch(`http://127.0.0.1:${s.port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function api(s: Service, method: string, path: string, token: string, body?: object) {
  const res = await fetch(`http://127.0.0.1:${s.port}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('two service processes on one data directory', () => {
  const running: Service[] = [];
  afterAll(() => {
    for (const s of running) s.child.kill('SIGKILL');
  });

  it('refuses the second, survives kill -9 of the first, releases on clean shutdown', async () => {
    const dataDir = join(dir, 'data');
    const first = await startService(dataDir);
    running.push(first);
    await ready(first);
    const program = await api(first, 'POST', '/v1/programs', TOKEN, { name: 'Lock shop' });
    expect(program.status).toBe(201);
    const apiKey = program.body.apiKey as string;
    expect((await api(first, 'PUT', '/v1/customers/before-crash', apiKey, {})).status).toBe(201);

    const second = await startService(dataDir);
    running.push(second);
    const { code } = await second.exited;
    expect(code).not.toBe(0);
    expect(second.output()).toContain(`The data directory ${dataDir} is in use`);
    expect(second.output()).toContain(`pid ${first.child.pid} on ${hostname()}`);
    // The first one did not notice.
    expect((await api(first, 'GET', '/v1/customers/before-crash', apiKey)).status).toBe(200);

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    // The lock file is left behind, and must not block the next start.
    expect(existsSync(join(dataDir, '.tierpass.lock'))).toBe(true);

    const third = await startService(dataDir);
    running.push(third);
    await ready(third);
    expect((await api(third, 'GET', '/v1/customers/before-crash', apiKey)).status).toBe(200);

    third.child.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);
    expect(existsSync(join(dataDir, '.tierpass.lock'))).toBe(false);
  }, 240_000);
});
