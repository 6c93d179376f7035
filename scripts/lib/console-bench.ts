/**
 * What the console benchmarks (bench:console, bench:customers) share: a fresh `vite build` of the
 * console, the service listening on 127.0.0.1, a must-succeed API caller, and a chromium page
 * signed in to the console.
 */
import { spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Express } from 'express';
import type { Browser, Page } from 'playwright-core';

/** `vite build` of console/ into console/dist (what the service serves), warnings only. */
export function buildConsoleBundle(root: string): void {
  const vite = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'console/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (vite.status !== 0) throw new Error(`vite build failed (${vite.status})`);
}

/** `app` listening on a free port of 127.0.0.1: the server and its http://127.0.0.1:<port> origin. */
export async function listenLocally(app: Express): Promise<{ server: Server; origin: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A JSON API caller on `origin` with a Bearer key; a non-2xx response throws with its body. */
export function apiCaller(origin: string) {
  return async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${origin}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
}

/**
 * A desktop-size page signed in to the console with the API key `key` (on the customers page).
 * bypassCSP: the measuring code is injected as text; the console itself is unchanged.
 */
export async function signedInConsolePage(browser: Browser, origin: string, key: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  await page.goto(`${origin}/console/sign-in`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL(/\/console\/customers/);
  return page;
}
