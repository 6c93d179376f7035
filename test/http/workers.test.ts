/**
 * WORKERS > 1 (src/workers.ts): the real entry point started as a process, its workers sharing
 * the port on a PostgreSQL server; a killed worker is started again; SIGTERM stops them all;
 * rate limits hold for the whole service, not per worker.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTempDatabase } from '../support/temp-db.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN = 'workers-admin-token-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Worker processes of `pid`: its `node` children (tsx may also run an esbuild child). */
function childPids(pid: number): number[] {
  let pids: number[];
  try {
    pids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
  return pids.filter((p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'node';
    } catch {
      return false;
    }
  });
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 40_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'warn', APNS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('worker processes', () => {
  let db: { url: string; drop(): Promise<void> };
  let dataDir: string;
  beforeAll(async () => {
    db = await createTempDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'tierpass-workers-'));
  });
  afterAll(async () => {
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses WORKERS > 1 on the embedded store, with a message', async () => {
    const { exited, output } = start({ WORKERS: '2', DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0' });
    expect(await exited).toBe(2);
    expect(output()).toContain('WORKERS: more than one worker process needs DATABASE_URL');
  }, 60_000);

  it('serves from every worker, restarts a killed worker, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    const { child, exited, output } = start({
      WORKERS: '2',
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN: ADMIN,
    });
    const primary = child.pid as number;
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor('the banner', () => (output().includes('2 worker processes') ? true : undefined));
      const workers = await waitFor('two workers', () => {
        const pids = childPids(primary);
        return pids.length === 2 ? pids : undefined;
      });
      // New connections go to the workers in turn; a program made through one is seen by all.
      const created = await fetch(`${base}/v1/programs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ADMIN}`,
          'content-type': 'application/json',
          connection: 'close',
        },
        body: JSON.stringify({ name: 'Workers' }),
      });
      expect(created.status).toBe(201);
      const { apiKey } = (await created.json()) as { apiKey: string };
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${base}/v1/program`, {
          headers: { authorization: `Bearer ${apiKey}`, connection: 'close' },
        });
        expect(res.status).toBe(200);
      }

      // A fresh DATA_DIR: the workers shared its development PKI and link secret without a crash.
      expect(output()).not.toContain('worker exited');
      process.kill(workers[0] as number, 'SIGKILL');
      const replaced = await waitFor('the killed worker to be replaced', () => {
        const pids = childPids(primary);
        return pids.length === 2 && !pids.includes(workers[0] as number) ? pids : undefined;
      });
      expect(replaced).toContain(workers[1]);
      await waitFor('the service answering again', async () => {
        const res = await fetch(`${base}/readyz`, { headers: { connection: 'close' } }).catch(
          () => undefined,
        );
        return res?.status === 200 ? true : undefined;
      });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(childPids(primary)).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      for (const pid of childPids(primary)) process.kill(pid, 'SIGKILL');
    }
  }, 120_000);

  it('counts rate limits for the whole service, not per worker', async () => {
    const port = await freePort();
    const { child, exited, output } = start({
      WORKERS: '2',
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: 'info',
      TRUST_PROXY: 'true',
      RATE_LIMIT_AUTH_FAILURES: '4',
      RATE_LIMIT_EXPENSIVE_PER_PROGRAM: '2',
    });
    const primary = child.pid as number;
    const base = `http://127.0.0.1:${port}`;
    // A new connection per request (no agent): node:cluster hands connections to the workers in
    // turn, so counted per worker, 4 failures would need 8 attempts.
    const call = (path: string, client: string, token: string, body?: unknown) =>
      new Promise<{ status: number; retryAfter: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          `${base}${path}`,
          {
            method: body === undefined ? 'GET' : 'POST',
            agent: false,
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'x-forwarded-for': client,
            },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => {
              text += c.toString();
            });
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                retryAfter: Number(res.headers['retry-after']),
                body: text,
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    try {
      await waitFor('the banner', () => (output().includes('2 worker processes') ? true : undefined));
      // Both workers listening (worker 1 starts once worker 0 listens).
      await waitFor('worker 1 listening', () =>
        /"worker":1[^\n]*"msg":"Tierpass listening"/.test(output()) ? true : undefined,
      );
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await call('/v1/programs', '203.0.113.7', `wrong-token-${i}`, { name: 'x' })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
      // Every worker refuses the blocked client, the right token included; another client is served.
      for (let i = 0; i < 4; i++) {
        const res = await call('/v1/programs', '203.0.113.7', ADMIN, { name: 'x' });
        expect(res.status).toBe(429);
        expect(res.retryAfter).toBeGreaterThanOrEqual(1);
      }
      const created = await call('/v1/programs', '203.0.113.8', ADMIN, { name: 'Workers' });
      expect(created.status).toBe(201);
      const { apiKey } = JSON.parse(created.body) as { apiKey: string };

      const sims: number[] = [];
      for (let i = 0; i < 3; i++) {
        sims.push(
          (await call('/v1/simulations', `203.0.113.${20 + i}`, apiKey, { tiers: [{ title: 'A' }] })).status,
        );
      }
      expect(sims).toEqual([200, 200, 429]);
      expect(output()).not.toContain('worker exited');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      for (const pid of childPids(primary)) process.kill(pid, 'SIGKILL');
    }
  }, 120_000);
});
