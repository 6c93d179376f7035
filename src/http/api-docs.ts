/**
 * The API reference at /docs: Swagger UI (swagger-ui-dist, served from node_modules, no CDN)
 * rendering /openapi.json. Its start-up code is a served file, not an inline script, so the
 * page works under the same strict Content-Security-Policy as the console (docs/decisions/0024).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { type NextFunction, type Router } from 'express';
import { sendHtmlNotice, setPageSecurityHeaders } from './web-pages.js';

/** The files of swagger-ui-dist the page uses; nothing else of the package is served. */
const VIEWER_FILES = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'favicon-32x32.png',
  'favicon-16x16.png',
]);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tierpass API reference</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT = `// Renders the served OpenAPI document (same origin).
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: false,
});
`;

function viewerDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch {
    return undefined;
  }
}

export function apiDocsPages(): Router {
  const router = express.Router();
  const dir = viewerDir();
  router.use('/docs', (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') setPageSecurityHeaders(res);
    next();
  });
  router.get(['/docs', '/docs/'], (_req, res) => {
    if (!dir) {
      sendHtmlNotice(res, 503, 'docs_viewer_missing', 'The API reference viewer is not installed', [
        'Run <code>npm install</code>; the raw document is at <a href="/openapi.json">/openapi.json</a>.',
      ]);
      return;
    }
    res.set('Cache-Control', 'no-cache').type('html').send(PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('text/javascript').send(INIT);
  });
  router.get('/docs/assets/:file', (req, res, next: NextFunction) => {
    const file = req.params.file;
    if (!dir || !VIEWER_FILES.has(file)) {
      next();
      return;
    }
    // Not content-hashed: cached for a day, then revalidated (a new package version changes them).
    res.sendFile(file, { root: dir, maxAge: '1d' }, (err?: Error & { status?: number }) => {
      if (err) next(err.status === 404 ? undefined : err);
    });
  });
  return router;
}
