/**
 * The shopper-facing pages of a pass link: the card page (phone first, in the program's
 * branding, self-contained: inline CSS, no script, no external resource) and the friendly error
 * page bad links get.
 */
import { parseRgb } from './pass-model.js';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** What the card page shows. */
export interface PassPageInput {
  /** Program name (title, heading). */
  programName: string;
  /** The pass's resolved background colour (`rgb(…)`): the page header's. */
  backgroundColor: string;
  /** The pass's resolved foreground colour: text on the header. */
  foregroundColor: string;
  /** Tier name, or null (no tier, hidden tier). */
  tierName: string | null;
  /** Points balance. */
  points: number;
  /** "1,250 points to Gold", or null. */
  progress: string | null;
  /** 0–1 share of the way to the next tier when it is measured in points, else null. */
  progressRatio: number | null;
  /** Relative URL of the card image. */
  cardUrl: string;
  /** Relative URL of the .pkpass. */
  appleUrl: string;
  /** Relative URL of the Google save redirect, when Google Wallet is configured. */
  googleUrl?: string;
}

/** WCAG relative luminance of an `rgb(…)` colour (0 black … 1 white). */
function luminance(color: string): number {
  const c = parseRgb(color) ?? { r: 0, g: 0, b: 0 };
  const lin = (v: number) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** The design's text colour when it reads on the background (≥ 4.5:1), else black or white. */
function readableOn(background: string, preferred: string): string {
  const ratio = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const bg = luminance(background);
  if (ratio(bg, luminance(preferred)) >= 4.5) return preferred;
  return ratio(bg, 0) >= ratio(bg, 1) ? '#000000' : '#ffffff';
}

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;font-family:-apple-system,system-ui,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;background:#f4f4f6;color:#1d1d1f;line-height:1.45}
  header{padding:1.25rem 1rem 5.5rem;text-align:center}
  header h1{margin:0;font-size:1.25rem;font-weight:600}
  main{max-width:28rem;margin:-4.5rem auto 2rem;padding:0 1rem}
  .card{display:block;width:100%;height:auto;border-radius:1rem;box-shadow:0 6px 24px rgba(0,0,0,.18)}
  .facts{background:#fff;border-radius:1rem;margin-top:1rem;padding:1rem 1.25rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}
  .facts dl{display:flex;gap:1rem;margin:0}
  .facts dl div{flex:1}
  .facts dt{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:#555}
  .facts dd{margin:0;font-size:1.35rem;font-weight:600}
  .progress{margin-top:1rem}
  .progress p{margin:0 0 .4rem;color:#333}
  progress{width:100%;height:.75rem;accent-color:#1d1d1f}
  .buttons{display:flex;flex-direction:column;gap:.75rem;margin-top:1.25rem}
  .wallet{display:block;text-align:center;padding:.9rem 1rem;border-radius:.75rem;background:#000;color:#fff;text-decoration:none;font-weight:600;font-size:1rem}
  .wallet:focus-visible{outline:3px solid #0a66ff;outline-offset:2px}
  .google{background:#1f1f1f}
  footer{text-align:center;color:#555;font-size:.85rem;margin:1.5rem 0}
`;

/** The card page of a pass link. */
export function passPage(opts: PassPageInput): string {
  const name = escapeHtml(opts.programName);
  const bg = parseRgb(opts.backgroundColor) ? opts.backgroundColor : 'rgb(31, 41, 55)';
  const fg = readableOn(bg, opts.foregroundColor);
  const points = opts.points.toLocaleString('en-US');
  const ratio = opts.progressRatio === null ? null : Math.max(0, Math.min(1, opts.progressRatio));
  const progress = opts.progress
    ? `<div class="progress"><p id="progress-text">${escapeHtml(opts.progress)}</p>${
        ratio === null
          ? ''
          : `<progress max="100" value="${Math.round(ratio * 100)}" aria-labelledby="progress-text">${Math.round(ratio * 100)} %</progress>`
      }</div>`
    : opts.tierName
      ? '<div class="progress"><p>You have reached the top tier.</p></div>'
      : '';
  const google = opts.googleUrl
    ? `<a class="wallet google" href="${escapeHtml(opts.googleUrl)}" rel="nofollow">Save to Google Wallet</a>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>${name} — your membership card</title>
<style>${STYLE}header{background:${escapeHtml(bg)};color:${escapeHtml(fg)}}</style>
</head>
<body>
<header><h1>${name}</h1></header>
<main>
<img class="card" src="${escapeHtml(opts.cardUrl)}" width="750" height="1000" alt="Your ${name} membership card${
    opts.tierName ? `, ${escapeHtml(opts.tierName)} tier` : ''
  }, ${points} points">
<section class="facts" aria-label="Your membership">
<dl>
<div><dt>Tier</dt><dd>${opts.tierName ? escapeHtml(opts.tierName) : 'Member'}</dd></div>
<div><dt>Points</dt><dd>${points}</dd></div>
</dl>
${progress}
</section>
<div class="buttons">
<a class="wallet" href="${escapeHtml(opts.appleUrl)}" type="application/vnd.apple.pkpass">Add to Apple Wallet</a>
${google}
</div>
<footer>Your card updates itself when your tier or points change.</footer>
</main>
</body>
</html>
`;
}

/** The friendly page of a bad, expired or tampered link (404) or of too many bad tries (429). */
export function shopperErrorPage(status: number): string {
  const [title, text] =
    status === 429
      ? [
          'Please wait a moment',
          'Too many attempts were made from this device. Please try again in a few minutes.',
        ]
      : status === 404
        ? [
            'This card link does not work',
            'The link may be incomplete or out of date. Ask the shop to send you a new link to your membership card.',
          ]
        : ['Something went wrong', 'Your card could not be shown right now. Please try again later.'];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${STYLE}main{margin-top:3rem}h1{font-size:1.4rem}</style>
</head>
<body>
<main>
<h1>${title}</h1>
<p>${text}</p>
</main>
</body>
</html>
`;
}
