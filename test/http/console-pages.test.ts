/**
 * The console and the API reference served by the service (issue 11): `/` → /console, the SPA
 * from a stand-in build directory (not the real Vite build), its caching and security headers,
 * the HTML 503 while the build is missing, and /docs with its same-origin scripts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { type Harness, startHarness } from '../support/harness.js';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/console/assets/app-3f2a1b.js"></script></head><body><div id="root"></div></body></html>';
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

let dir: string;
let h: Harness;
let missing: Harness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierpass-console-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), INDEX);
  await writeFile(join(dir, 'assets', 'app-3f2a1b.js'), 'console.log("console");\n');
  await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(dir, '.build-stamp'), 'abc\n');
  h = await startHarness({ consoleDir: dir });
  missing = await startHarness({ consoleDir: join(dir, 'not-built') });
});
afterAll(async () => {
  await h.close();
  await missing.close();
  await rm(dir, { recursive: true, force: true });
});

function expectPageHeaders(res: request.Response): void {
  expect(res.headers['content-security-policy']).toBe(CSP);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
}

describe('console', () => {
  it('redirects / to /console/', async () => {
    const res = await request(h.app).get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/console/');
  });

  it('serves index.html at /console and /console/ without caching it, with the security headers', async () => {
    for (const path of ['/console', '/console/']) {
      const res = await request(h.app).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toBe(INDEX);
      expectPageHeaders(res);
    }
  });

  it('falls back to index.html for client-side routes', async () => {
    const res = await request(h.app).get('/console/x/y');
    expect(res.status).toBe(200);
    expect(res.text).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
    expectPageHeaders(res);
    expect((await request(h.app).get('/console/tiers/gold_1/design')).text).toBe(INDEX);
  });

  it('caches hashed assets for a year (immutable)', async () => {
    const res = await request(h.app).get('/console/assets/app-3f2a1b.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expectPageHeaders(res);
  });

  it('answers 404 for missing files, never the app page', async () => {
    for (const path of ['/console/assets/gone-123.js', '/console/missing.png', '/console/.build-stamp']) {
      const res = await request(h.app).get(path);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('<div id="root">');
    }
  });

  it('serves other files of the build, revalidated', async () => {
    const res = await request(h.app).get('/console/favicon.svg');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('answers a friendly HTML 503 while the build is missing', async () => {
    for (const path of ['/console', '/console/tiers']) {
      const res = await request(missing.app).get(path);
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('npm run build:console');
      expectPageHeaders(res);
    }
  });
});

describe('/docs', () => {
  it('answers the API reference page that loads only same-origin scripts, all of which answer', async () => {
    const res = await request(h.app).get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expectPageHeaders(res);
    // No inline script: every <script> has a same-origin src (the CSP forbids the rest).
    const scripts = [...res.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const [, attrs, body] of scripts) {
      expect(body?.trim()).toBe('');
      const src = /src="([^"]+)"/.exec(attrs ?? '')?.[1];
      expect(src).toMatch(/^\/docs\//);
      const script = await request(h.app).get(src as string);
      expect(script.status).toBe(200);
      expect(script.headers['content-type']).toMatch(/javascript/);
    }
    const styles = [...res.text.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    expect(styles.length).toBeGreaterThanOrEqual(1);
    for (const href of styles) {
      expect(href).toMatch(/^\/docs\//);
      expect((await request(h.app).get(href)).status).toBe(200);
    }
    expect((await request(h.app).get('/docs/init.js')).text).toContain("url: '/openapi.json'");
  });

  it('serves only the viewer files it needs', async () => {
    expect((await request(h.app).get('/docs/assets/package.json')).status).toBe(404);
    expect((await request(h.app).get('/docs/assets/..%2Fpackage.json')).status).toBe(404);
  });
});
