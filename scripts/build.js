/**
 * `npm run build`: compile src/ to dist/ with tsc (tsconfig.build.json) and copy the files read at
 * run time next to the modules that read them (the SQL migrations). Plain JavaScript: it runs
 * before anything is compiled. `npm start` (scripts/start.js) calls it when dist/ is missing or
 * out of date; dist/.build-stamp holds a hash of every input, so an edit, a checkout or a deleted
 * file all count, whatever the file times say.
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

/** Every file under `dir`, sorted, as paths relative to the project root. */
function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(relative(ROOT, path));
  }
  return out.sort();
}

/** Hash of the names and contents of every build input. */
export function sourceHash() {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(SRC), ...CONFIG_FILES]) {
    hash.update(file).update('\0');
    if (existsSync(join(ROOT, file))) hash.update(readFileSync(join(ROOT, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const started = Date.now();
    build();
    console.log(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
