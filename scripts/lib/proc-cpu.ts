/**
 * CPU accounting for the benchmarks from /proc (Linux): per process, the bench database's
 * PostgreSQL backends, the whole machine, and the scheduler's run and wait time of a thread.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type pg from 'pg';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------- /proc accounting (Linux only)

/** utime+stime of one process in seconds, or undefined when unreadable. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes comm: state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of `postgres` processes, keyed by pid: those in `only` (the bench database's
 * backends and the server's background processes), or every one when `only` is undefined.
 * Other sessions' backends on the same server count as "other".
 */
export function postgresCpu(only: Set<number> | undefined): Map<number, number> {
  const out = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const d of pids) {
    if (only && !only.has(Number(d))) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'postgres') continue;
      const cpu = processCpuSeconds(Number(d));
      if (cpu !== undefined) out.set(Number(d), cpu);
    } catch {
      // The process exited meanwhile.
    }
  }
  return out;
}

/** Pids of the bench database's backends and of the server's own (non-client) processes. */
export async function benchPostgresPids(
  meta: pg.Client | undefined,
  database: string | undefined,
): Promise<Set<number> | undefined> {
  if (!meta || !database) return undefined;
  const { rows } = await meta.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 OR backend_type <> 'client backend'`,
    [database],
  );
  // The postmaster is no backend but forks every connection; count it too.
  const pids = new Set(rows.map((r) => r.pid));
  const { rows: pm } = await meta
    .query<{ pid: string }>(`SELECT (regexp_match(pg_read_file('postmaster.pid'), '^[0-9]+'))[1] AS pid`)
    .catch(() => ({ rows: [] as { pid: string }[] }));
  if (pm[0]?.pid) pids.add(Number(pm[0].pid));
  return pids;
}

/** Busy and total jiffies of the whole machine (/proc/stat first line). */
export function machineCpu(): { busy: number; total: number; iowait: number } | undefined {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const n = first.trim().split(/\s+/).slice(1).map(Number);
    const total = n.reduce((a, b) => a + b, 0);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    return { busy: total - idle, total, iowait: n[4] ?? 0 };
  } catch {
    return undefined;
  }
}

export function procStatusKiB(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The server's processes: itself and, with --workers > 1, its worker processes. */
export function serverProcesses(pid: number): { all: number[]; serving: number[] } {
  let children: number[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    // pgrep exits 1 when there are none.
  }
  // Worker processes are `node`; tsx may also run an esbuild child (counted in `all`).
  const workers = children.filter((p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'node';
    } catch {
      return false;
    }
  });
  return { all: [pid, ...children], serving: workers.length > 0 ? workers : [pid] };
}

export function sumDefined(values: (number | undefined)[]): number | undefined {
  return values.some((v) => v === undefined) ? undefined : values.reduce<number>((a, v) => a + (v ?? 0), 0);
}

/** Nanoseconds a thread ran and waited runnable for a CPU (/proc/<pid>/task/<tid>/schedstat). */
export function schedstat(pid: number | undefined): { run: number; wait: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return run === undefined || wait === undefined ? undefined : { run, wait };
  } catch {
    return undefined;
  }
}

export interface CpuSnapshot {
  at: bigint;
  self: NodeJS.CpuUsage;
  server: number | undefined;
  /** The server's main (event loop) thread. */
  serverMain: { run: number; wait: number } | undefined;
  postgres: Map<number, number>;
  machine: { busy: number; total: number; iowait: number } | undefined;
}

export function cpuSnapshot(serverPid: number | undefined, pgPids?: Set<number>): CpuSnapshot {
  const procs = serverPid === undefined ? undefined : serverProcesses(serverPid);
  // Event loop threads: the server's own, or every worker's summed (shares can then exceed 1).
  const loops = procs?.serving.map((p) => schedstat(p));
  return {
    at: process.hrtime.bigint(),
    self: process.cpuUsage(),
    server: procs === undefined ? undefined : sumDefined(procs.all.map(processCpuSeconds)),
    serverMain:
      loops === undefined || loops.some((l) => l === undefined)
        ? undefined
        : {
            run: loops.reduce((a, l) => a + (l?.run ?? 0), 0),
            wait: loops.reduce((a, l) => a + (l?.wait ?? 0), 0),
          },
    postgres: postgresCpu(pgPids),
    machine: machineCpu(),
  };
}

/** Where the CPU went between two snapshots, in cores (1.0 = one core fully busy). */
export function cpuBreakdown(a: CpuSnapshot, b: CpuSnapshot) {
  const wall = Number(b.at - a.at) / 1e9;
  const self = (b.self.user - a.self.user + b.self.system - a.self.system) / 1e6;
  const server = a.server !== undefined && b.server !== undefined ? b.server - a.server : undefined;
  let postgres = 0;
  for (const [pid, after] of b.postgres) postgres += after - (a.postgres.get(pid) ?? 0);
  const machine =
    a.machine && b.machine
      ? (b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)
      : undefined;
  const cores = os.cpus().length;
  return {
    loadGeneratorCores: round(self / wall),
    serverCores: server === undefined ? null : round(server / wall),
    postgresCores: round(postgres / wall),
    machineBusyPercent: machine === undefined ? null : round(machine * 100, 1),
    machineIowaitPercent:
      a.machine && b.machine
        ? round(((b.machine.iowait - a.machine.iowait) / (b.machine.total - a.machine.total)) * 100, 1)
        : null,
    // The event loop thread: share of the wall time it ran, and waited runnable for a core.
    serverMainThreadRunning:
      a.serverMain && b.serverMain ? round((b.serverMain.run - a.serverMain.run) / 1e9 / wall) : null,
    serverMainThreadWaitingForCpu:
      a.serverMain && b.serverMain ? round((b.serverMain.wait - a.serverMain.wait) / 1e9 / wall) : null,
    // Anything else on the machine (another test run, a build): it distorts the numbers.
    otherCores:
      machine === undefined
        ? null
        : round(Math.max(0, machine * cores - (self + (server ?? 0) + postgres) / wall)),
  };
}
