/** The shopper-facing download page of a pass link. */

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A small self-contained HTML page with an "Add to Apple Wallet" button, and a "Save to Google
 * Wallet" one when Google Wallet is configured.
 */
export function passPage(opts: { programName: string; appleUrl: string; googleUrl?: string }): string {
  const name = escapeHtml(opts.programName);
  const google = opts.googleUrl
    ? `<a class="wallet google" href="${escapeHtml(opts.googleUrl)}" rel="nofollow">Save to Google Wallet</a>\n`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${name} — your membership card</title>
<style>
  body { font-family: -apple-system, system-ui, sans-serif; margin: 0; padding: 3rem 1.5rem; text-align: center; color: #1d1d1f; }
  h1 { font-size: 1.4rem; margin-bottom: 0.5rem; }
  p { color: #555; }
  a.wallet { display: inline-block; margin-top: 1.5rem; padding: 0.8rem 1.4rem; border-radius: 0.6rem;
    background: #000; color: #fff; text-decoration: none; font-weight: 600; }
  a.google { margin-left: 0.5rem; background: #1f1f1f; }
</style>
</head>
<body>
<h1>${name}</h1>
<p>Your membership card, always up to date with your tier and points.</p>
<a class="wallet" href="${escapeHtml(opts.appleUrl)}" type="application/vnd.apple.pkpass">Add to Apple Wallet</a>
${google}</body>
</html>
`;
}
