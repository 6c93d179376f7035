/**
 * Security headers of the HTML pages the service serves itself (console, API reference): a
 * strict Content-Security-Policy (same-origin scripts only, no inline script), no framing, no
 * MIME sniffing, no referrer (docs/decisions/0024).
 */
import type { Response } from 'express';
import { AppError } from '../errors.js';

export const PAGE_CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Set the page security headers on `res`. */
export function setPageSecurityHeaders(res: Response): void {
  res.set({
    'Content-Security-Policy': PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A small HTML page answered with `status` (an expected state, such as a console not built
 * yet): the request log records its code at warn, not as a fault (http/app.ts).
 */
export function sendHtmlNotice(
  res: Response,
  status: number,
  code: string,
  title: string,
  paragraphs: string[],
): void {
  res.locals.appError = new AppError(status, code, title);
  setPageSecurityHeaders(res);
  const body = paragraphs.map((p) => `<p>${p}</p>`).join('\n');
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Tierpass</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2328}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style>
</head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`);
}
