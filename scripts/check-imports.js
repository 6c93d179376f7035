/**
 * The import rules between Tierpass's layers (docs/architecture.md), checked by `npm run lint`:
 * a rule that is not checked erodes. Reads every relative import (`import … from`, `export … from`,
 * `import()`) of src/, scripts/ and console/src, classifies both ends by layer and reports each
 * import a rule forbids. Plain JavaScript with no dependency: it runs before anything is compiled.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROOTS = ['src', 'scripts', 'console/src'];
const SOURCE = /\.(ts|tsx|js)$/;
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Layer of a repository-relative path (forward slashes), or undefined outside the checked tree. */
export function layerOf(path) {
  const p = path.replace(/\.(js|ts|tsx)$/, '');
  if (p.startsWith('test/')) return 'test';
  if (p.startsWith('scripts/')) return 'scripts';
  if (p.startsWith('console/')) return 'console';
  if (!p.startsWith('src/')) return undefined;
  const rest = p.slice(4);
  // Composition roots: they pick the adapters and build everything.
  if (['app', 'main', 'workers', 'config', 'store/open-store', 'pass-fetch-worker'].includes(rest))
    return 'root';
  if (['errors', 'clock', 'program-context'].includes(rest)) return 'kernel';
  if (rest.startsWith('store/postgres/') || rest.startsWith('store/memory/')) return 'adapter';
  const top = rest.split('/')[0];
  return top === 'store' ? 'port' : top;
}

/** Layers each layer may import besides itself; a function decides finer cases. */
const ALLOWED = {
  domain: [],
  kernel: ['port', 'domain'],
  port: ['domain', 'kernel'],
  adapter: ['port', 'domain', 'kernel'],
  integrations: ['kernel'],
  http: ['kernel', 'port'],
  features: ['domain', 'kernel', 'port', 'integrations', 'http'],
  jobs: ['features', 'kernel', 'port', 'adapter', 'domain'],
  root: ['domain', 'kernel', 'port', 'adapter', 'integrations', 'http', 'features', 'jobs'],
  scripts: ['domain', 'kernel', 'port', 'adapter', 'integrations', 'http', 'features', 'jobs', 'root'],
  console: ['domain', 'features', 'http'],
};

/** Why `from` may not import `to` (repository-relative paths), or undefined when it may. */
export function ruleBroken(from, to) {
  const a = layerOf(from);
  const b = layerOf(to);
  if (a === undefined || b === undefined || a === b) return undefined;
  if (!ALLOWED[a]?.includes(b)) return `${a} must not import ${b}`;
  // The edge vocabulary (zod schemas, no Express) is shared; the HTTP machinery only with routes.
  const commonSchemas = to.replace(/\.(js|ts)$/, '') === 'src/http/common-schemas';
  if (a === 'features' && b === 'http' && !commonSchemas && !/-routes\.ts$/.test(from)) {
    return 'only a feature’s *-routes.ts imports http/ (others may use http/common-schemas)';
  }
  if (a === 'console' && b === 'http' && !commonSchemas) return 'console imports only http/common-schemas';
  return undefined;
}

/** The relative specifiers a source text imports (static, type-only, re-exported or dynamic). */
export function importsOf(text) {
  return [...text.matchAll(IMPORT)].map((m) => m[1]);
}

function* sources(dir) {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') yield* sources(path);
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

/** Every forbidden import of the checked tree: `file: import → target (reason)`. */
export function violations() {
  const found = [];
  for (const root of ROOTS) {
    for (const file of sources(root)) {
      for (const spec of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        const target = relative(ROOT, normalize(join(ROOT, dirname(file), spec)))
          .split(sep)
          .join('/');
        const why = ruleBroken(file, target);
        if (why) found.push(`${file}: imports ${spec} (${why})`);
      }
    }
  }
  return found;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const found = violations();
  for (const line of found) console.error(line);
  if (found.length > 0) {
    console.error(`${found.length} import(s) break the layer rules of docs/architecture.md`);
    process.exit(1);
  }
  console.log('Imports follow the layer rules of docs/architecture.md');
}
