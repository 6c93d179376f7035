/**
 * The merchant console (issue 11): the single-page app built by Vite into CONSOLE_DIR, served
 * at /console by this process (same origin as the API). Hashed files under /console/assets are
 * cached for a year (immutable); index.html and other files are revalidated (`no-cache`); any
 * other /console path without a file extension is the app's own route and gets index.html.
 * While the build is missing /console answers an HTML 503 saying how to build it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { sendHtmlNotice, setPageSecurityHeaders } from './web-pages.js';

/** A path whose last segment has a file extension: a file, not a client-side route. */
const FILE_PATH = /\.[A-Za-z0-9]+$/;

/** `res.sendFile` refusals (no such file, a `..` or dot-file path) go on to the 404 handler. */
function notFoundOrError(next: NextFunction) {
  return (err?: Error & { status?: number; statusCode?: number }) => {
    if (!err) return;
    const status = err.status ?? err.statusCode ?? 500;
    if (status < 500) next();
    else next(err);
  };
}

export function consolePages(opts: {
  /** The built console (index.html, assets/). */
  dir: string;
}): Router {
  const router = express.Router();
  const index = join(opts.dir, 'index.html');

  router.get('/', (_req, res) => {
    res.redirect(302, '/console/');
  });

  router.use('/console', (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') setPageSecurityHeaders(res);
    next();
  });
  router.use(
    '/console/assets',
    express.static(join(opts.dir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      fallthrough: true,
    }),
  );

  router.get('/console{/*rest}', (req: Request, res: Response, next: NextFunction) => {
    // Checked on every request: a build made while the service runs is served at once.
    if (!existsSync(index)) {
      sendHtmlNotice(res, 503, 'console_not_built', 'The console is not built yet', [
        'This Tierpass server has no console build in <code>CONSOLE_DIR</code>.',
        'Build it with <code>npm run build:console</code> (or restart with <code>npm start</code>, which builds it when missing), then reload this page.',
        'The API works meanwhile; its reference is at <a href="/docs">/docs</a>.',
      ]);
      return;
    }
    const rel = req.path.slice('/console'.length);
    if (rel.startsWith('/assets/') || rel.includes('/.')) {
      // A hashed file that is not there (an old build's), or a dot-file (.build-stamp): 404, never the app's HTML.
      next();
      return;
    }
    const file = FILE_PATH.test(rel) ? rel : 'index.html';
    res.sendFile(
      file,
      { root: opts.dir, dotfiles: 'deny', headers: { 'Cache-Control': 'no-cache' } },
      notFoundOrError(next),
    );
  });
  return router;
}
