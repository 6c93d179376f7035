/**
 * Idle memory of the embedded default (`npm run bench:memory`): starts the service exactly as the
 * quick start does (`npm start`, or `--command`) on a fresh data directory, creates one program,
 * one customer and one order through the API, then leaves it idle and samples the resident set
 * (VmRSS, with its anonymous/file split from /proc/<pid>/status) of the service process and of
 * the whole process tree (npm, the service, any child) every 5 s. Prints JSON; Linux only.
 *
 *   npm run bench:memory -- [--idle 60] [--command "npm start"] [--data-dir DIR] [--keep]
 *
 * `--data-dir` reuses a directory (a restart on an existing database) and keeps it; otherwise a
 * fresh one is made (the first start: initdb) and removed unless `--keep`.
 *
 * Extra environment for the service can be passed as usual (e.g. LOG_LEVEL=warn).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'bench-admin-token-0123456789abcdef';
const { values: flags } = parseArgs({
  options: {
    idle: { type: 'string', default: '60' },
    command: { type: 'string', default: 'npm start' },
    'data-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const IDLE_SECONDS = Number(flags.idle);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface ProcMemory {
  pid: number;
  command: string;
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
  hwmMiB: number;
}

async function procMemory(pid: number): Promise<ProcMemory | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    const mib = (field: string) => Math.round((kib(field) / 1024) * 10) / 10;
    return {
      pid,
      command: cmdline.slice(0, 120),
      rssMiB: mib('VmRSS'),
      anonMiB: mib('RssAnon'),
      fileMiB: mib('RssFile'),
      hwmMiB: mib('VmHWM'),
    };
  } catch {
    return undefined;
  }
}

/** `root` and every descendant, from the parent pids in /proc/<pid>/stat. */
async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = await readFile(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(d), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function call(port: number, method: string, path: string, token: string, body: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The process that listens: the deepest `node` process of the tree (npm → sh → node …). */
async function serviceProcess(tree: ProcMemory[]): Promise<ProcMemory | undefined> {
  const nodes = tree.filter((p) => /(^|\/)node\s/.test(`${p.command} `) && !/\bnpm\b/.test(p.command));
  return nodes.at(-1) ?? tree.at(-1);
}

async function main(): Promise<void> {
  const reuse = flags['data-dir'];
  const dataDir = reuse ?? (await mkdtemp(join(os.tmpdir(), 'tierpass-idle-rss-')));
  const port = await freePort();
  const started = Date.now();
  const child: ChildProcess = spawn(flags.command, {
    cwd: ROOT,
    shell: true,
    detached: true,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_TOKEN: ADMIN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const ready = await Promise.race([
      (async () => {
        while (!output.includes('Tierpass is running')) await sleep(100);
        return true;
      })(),
      exited.then(() => false),
      sleep(300_000).then(() => false),
    ]);
    if (!ready) throw new Error(`the service did not start:\n${output.slice(-2000)}`);
    const startSeconds = (Date.now() - started) / 1000;
    const program = await call(port, 'POST', '/v1/programs', ADMIN, {
      name: 'Idle',
      earning: { pointsPerUnit: 10 },
    });
    const key = program.apiKey as string;
    const n = Date.now();
    await call(port, 'PUT', `/v1/customers/c-${n}`, key, { email: 'ann@example.com' });
    await call(port, 'POST', '/v1/orders', key, { id: `o-${n}`, customerId: `c-${n}`, amount: 10000 });
    const afterWork = await Promise.all((await processTree(child.pid as number)).map(procMemory));

    const samples: { atSeconds: number; serviceRssMiB: number; treeRssMiB: number }[] = [];
    let last: ProcMemory[] = [];
    for (let t = 0; t <= IDLE_SECONDS; t += 5) {
      if (t > 0) await sleep(5000);
      last = (await Promise.all((await processTree(child.pid as number)).map(procMemory))).filter(
        (p): p is ProcMemory => p !== undefined,
      );
      const service = await serviceProcess(last);
      samples.push({
        atSeconds: t,
        serviceRssMiB: service?.rssMiB ?? 0,
        treeRssMiB: Math.round(last.reduce((s, p) => s + p.rssMiB, 0) * 10) / 10,
      });
    }
    const service = await serviceProcess(last);
    console.log(
      JSON.stringify(
        {
          date: new Date().toISOString(),
          command: flags.command,
          dataDir: reuse ? 'existing' : 'fresh',
          node: process.version,
          machine: `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
          startSeconds,
          idleSeconds: IDLE_SECONDS,
          afterFirstOrder: afterWork.filter(Boolean),
          idle: {
            serviceRssMiB: service?.rssMiB,
            treeRssMiB: samples.at(-1)?.treeRssMiB,
            processes: last,
          },
          samples,
        },
        null,
        2,
      ),
    );
  } finally {
    try {
      // The whole group: npm, its shell and the service.
      process.kill(-(child.pid as number), 'SIGTERM');
    } catch {
      // already gone
    }
    await Promise.race([exited, sleep(15_000)]);
    if (!flags.keep && !reuse) await rm(dataDir, { recursive: true, force: true });
  }
}

// Exit explicitly: the start-up race leaves a long timer behind.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
