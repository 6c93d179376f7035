/** ISO 8601 durations (P90D, P3M, P1Y) in plain words for hints and summaries. */

const UNITS: [string, string][] = [
  ['Y', 'year'],
  ['M', 'month'],
  ['W', 'week'],
  ['D', 'day'],
];

/** `P1Y6M` → "1 year 6 months"; null when the text is not such a duration. */
export function durationInWords(text: string): string | null {
  const m = /^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/.exec(text.trim());
  if (!m) return null;
  const parts: string[] = [];
  UNITS.forEach(([, word], i) => {
    const part = m[i + 1];
    if (!part) return;
    const n = Number(part.slice(0, -1));
    parts.push(`${n} ${word}${n === 1 ? '' : 's'}`);
  });
  return parts.join(' ');
}

/** The hint under every duration field. */
export const DURATION_HINT =
  'An ISO 8601 duration: P90D = 90 days, P2W = 2 weeks, P3M = 3 months, P1Y = 1 year.';
