/**
 * `npm run build`: compile src/ to dist/ with tsc (tsconfig.build.json) and copy the files read at
 * run time next to the modules that read them (the SQL migrations); then build the console
 * (console/, Vite) into console/dist. Plain JavaScript: it runs before anything is compiled.
 * `npm start` (scripts/start.js) calls each part when its output is missing or out of date;
 * dist/.build-stamp and console/dist/.build-stamp hold a hash of every input of their part, so an
 * edit, a checkout or a deleted file all count, whatever the file times say. The console output
 * stays out of dist/ (the server build starts from an empty dist/) and has its own stamp.
 * `node scripts/build.js --console` (`npm run build:console`) builds the console only.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
/** Besides src/: what changes the output. */
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.js'];
const CONSOLE = join(ROOT, 'console');
const CONSOLE_DIST = join(CONSOLE, 'dist');
const CONSOLE_STAMP = join(CONSOLE_DIST, '.build-stamp');
/**
 * Besides console/ and src/ (the console imports the server's zod schemas): what changes the
 * console build. The lockfile stands for the versions of Vite, React and the other packages.
 */
const CONSOLE_CONFIG_FILES = ['package-lock.json', 'scripts/build.js'];

/** Every file under `dir` (except the `skip` directories), sorted, as paths relative to the project root. */
function filesUnder(dir, skip = new Set()) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.has(path)) out.push(...filesUnder(path, skip));
    } else if (entry.isFile()) out.push(relative(ROOT, path));
  }
  return out.sort();
}

/** Hash of the names and contents of `files` (relative to the root; a missing one counts as absent). */
function hashFiles(files) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file).update('\0');
    if (existsSync(join(ROOT, file))) hash.update(readFileSync(join(ROOT, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Hash of the names and contents of every build input. */
export function sourceHash() {
  return hashFiles([...filesUnder(SRC), ...CONFIG_FILES]);
}

/** True when the project has a console to build (its source lands in console/). */
export function hasConsole() {
  return existsSync(join(CONSOLE, 'vite.config.ts')) && existsSync(join(CONSOLE, 'index.html'));
}

/** Hash of every input of the console build: console/ (without its output), src/ and the lockfile. */
export function consoleSourceHash() {
  const skip = new Set([CONSOLE_DIST, join(CONSOLE, 'node_modules')]);
  return hashFiles([...filesUnder(CONSOLE, skip), ...filesUnder(SRC), ...CONSOLE_CONFIG_FILES]);
}

/** True when there is a console and console/dist is missing or was built from other sources. */
export function consoleBuildNeeded() {
  if (!hasConsole()) return false;
  if (!existsSync(CONSOLE_STAMP)) return true;
  return readFileSync(CONSOLE_STAMP, 'utf8').trim() !== consoleSourceHash();
}

/** Build the console with Vite into console/dist (emptied first by Vite); throws on failure. */
export function buildConsole() {
  const hash = consoleSourceHash();
  let vite;
  try {
    // bin/ is not in the package's exports: found beside its package.json.
    vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  } catch {
    throw new Error(
      'console/dist is missing or out of date and Vite is not installed: run `npm install` (with dev dependencies) and `npm run build:console`',
    );
  }
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--config', join(CONSOLE, 'vite.config.ts'), '--logLevel', 'warn'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (result.status !== 0) {
    // No stamp: the next start tries again.
    rmSync(CONSOLE_STAMP, { force: true });
    throw new Error(`vite build failed (exit ${result.status ?? result.signal}); the console was not built`);
  }
  writeFileSync(CONSOLE_STAMP, `${hash}\n`);
}

/** True when dist/ is missing or was built from other sources than the current ones. */
export function buildNeeded() {
  if (!existsSync(STAMP)) return true;
  return readFileSync(STAMP, 'utf8').trim() !== sourceHash();
}

/** Compile from scratch (a source deleted since the last build leaves nothing behind); throws on failure. */
export function build() {
  const hash = sourceHash();
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    throw new Error(
      'dist/ is missing or out of date and TypeScript is not installed: run `npm install` (with dev dependencies) and `npm run build`',
    );
  }
  rmSync(DIST, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    rmSync(DIST, { recursive: true, force: true });
    throw new Error(`tsc failed (exit ${result.status ?? result.signal}); nothing was built`);
  }
  for (const file of filesUnder(SRC)) {
    if (file.endsWith('.ts')) continue;
    const target = join(DIST, relative(SRC, join(ROOT, file)));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(ROOT, file), target);
  }
  writeFileSync(STAMP, `${hash}\n`);
}

/** Run `step`, printing how long it took. */
function timed(what, step) {
  const started = Date.now();
  step();
  console.log(`built ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const consoleOnly = process.argv.includes('--console');
  try {
    if (!consoleOnly) timed('dist/', build);
    if (hasConsole()) timed('console/dist/', buildConsole);
    else console.log('no console/ in this checkout: nothing to build for the console');
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
