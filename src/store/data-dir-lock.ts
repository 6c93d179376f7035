/**
 * An exclusive lock on the embedded store's data directory for the life of the process
 * (docs/decisions/0018). PGlite does not lock its directory, and two processes on one directory
 * diverge and lose data.
 *
 * The lock is a Unix socket, `<dataDir>/.tierpass.lock`, that the holder listens on. Whether it
 * is held is asked of the kernel, not of a pid: connecting succeeds only while a live process
 * listens, and the kernel stops listening for a process the moment it dies, however it dies
 * (`kill -9`, OOM). So a lock left behind never blocks a start: the file is still there, but
 * nobody answers (ECONNREFUSED), and the next process replaces it. There is no pid to be reused,
 * and it works across pid namespaces (containers sharing a volume on one host). The holder
 * answers each connection with who it is, which the refused process prints.
 * Not covered: one directory shared by processes on different machines (a network filesystem),
 * which an embedded database must not be used on anyway.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, link, lstat, open, rename, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

const LOCK_NAME = '.tierpass.lock';
/** Unix socket paths are limited to ~107 bytes; longer ones are reached through the directory's fd. */
const MAX_SOCKET_PATH = 100;
/** A holder that accepted the connection but has not answered by then is alive but busy. */
const ASK_TIMEOUT_MS = 3_000;

/** Who holds a data directory. */
export interface LockHolder {
  /** Process id, as the holder sees it (in a container, its namespace's). */
  pid: number;
  /** Host name of the holder. */
  host: string;
  /** ISO instant the holder took the lock. */
  startedAt: string;
}

/** Another live process holds the data directory. */
export class DataDirLockedError extends Error {
  constructor(
    /** The data directory, as an absolute path. */
    readonly dataDir: string,
    /** The holder, when it answered. */
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder
      ? `pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}`
      : 'a process that did not answer in time';
    super(
      `The data directory ${dataDir} is in use by another Tierpass process (${who}). ` +
        'Two processes on one embedded database lose data: stop the other one, or give this one its own DATA_DIR (or a DATABASE_URL).',
    );
    this.name = 'DataDirLockedError';
  }
}

/** A held lock. */
export interface DataDirLock {
  /** The lock file. */
  path: string;
  /** Give the lock up (clean shutdown); the lock file is removed. */
  release(): Promise<void>;
}

interface Identity extends LockHolder {
  /** Tells this process's own socket from another's. */
  nonce: string;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

function listen(path: string, me: Identity): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.end(`${JSON.stringify(me)}\n`);
    });
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      server.on('error', () => {});
      resolvePromise(server);
    });
  });
}

/**
 * Connect to the lock socket and read who holds it. Rejects with ECONNREFUSED when nobody
 * listens (a stale lock) and ENOENT when there is no lock file; resolves undefined when a live
 * holder did not answer in time.
 */
function ask(path: string): Promise<Identity | undefined> {
  return new Promise((resolvePromise, reject) => {
    const socket = createConnection(path);
    let text = '';
    let connected = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolvePromise(undefined);
    }, ASK_TIMEOUT_MS);
    socket.on('connect', () => {
      connected = true;
    });
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolvePromise(JSON.parse(text) as Identity);
      } catch {
        resolvePromise(undefined);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (connected) resolvePromise(undefined);
      else reject(err);
    });
  });
}

/**
 * Move a stale lock file out of the way. Renaming first (atomic) and checking the inode makes two
 * processes replacing the same stale lock safe: the second one moves the first one's fresh socket,
 * sees it is not the file it found dead, and puts it back.
 */
async function removeStale(path: string, staleIno: number): Promise<void> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return;
    throw err;
  }
  if ((await lstat(aside)).ino !== staleIno) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
}

const holderOf = (id: Identity | undefined): LockHolder | undefined =>
  id && { pid: id.pid, host: id.host, startedAt: id.startedAt };

/**
 * Take the data directory's lock, or throw DataDirLockedError naming the holder. The directory
 * must exist. Call before anything reads or writes the directory.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  const lockPath = join(dir, LOCK_NAME);
  const me: Identity = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    nonce: randomBytes(12).toString('hex'),
  };
  let dirHandle: FileHandle | undefined;
  let path = lockPath;
  if (Buffer.byteLength(lockPath) > MAX_SOCKET_PATH) {
    dirHandle = await open(dir, 'r');
    path = `/proc/self/fd/${dirHandle.fd}/${LOCK_NAME}`;
  }
  try {
    for (let tries = 0; tries < 5; tries++) {
      let server: Server;
      try {
        server = await listen(path, me);
      } catch (err) {
        if (errorCode(err) !== 'EADDRINUSE') {
          throw new Error(
            `Cannot lock the data directory ${dir}: creating the lock socket ${lockPath} failed (${errorCode(err) ?? String(err)}). The directory must be on a local filesystem that allows Unix sockets.`,
            { cause: err },
          );
        }
        let holder: Identity | undefined;
        try {
          holder = await ask(path);
        } catch (askErr) {
          const code = errorCode(askErr);
          if (code === 'ENOENT') continue;
          if (code !== 'ECONNREFUSED') throw askErr;
          // Nobody listens: the holder died without releasing it.
          const stale = await lstat(path).catch(() => undefined);
          if (stale) await removeStale(path, stale.ino);
          continue;
        }
        throw new DataDirLockedError(dir, holderOf(holder));
      }
      const reached = await ask(path).catch(() => undefined);
      if (reached?.nonce !== me.nonce) {
        // Another process replaced our socket meanwhile and holds the lock. Closing our server
        // would unlink its socket file: leave ours to the process's exit.
        server.unref();
        throw new DataDirLockedError(dir, holderOf(reached));
      }
      const held = server;
      const handle = dirHandle;
      return {
        path: lockPath,
        async release() {
          const still = await ask(path).catch(() => undefined);
          if (still?.nonce === me.nonce) await new Promise<void>((done) => held.close(() => done()));
          else held.unref();
          await handle?.close();
        },
      };
    }
    throw new Error(`could not take the lock ${lockPath}`);
  } catch (err) {
    await dirHandle?.close();
    throw err;
  }
}
