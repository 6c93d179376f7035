/** Instants from the API (ISO 8601) in words, in the program's time zone as the server keeps it. */

/** `2025-03-01T09:30:00Z` → "1 Mar 2025, 10:30:00 CET" in `timeZone` (the browser's when absent). */
export function formatInstant(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone,
  }).format(new Date(iso));
}
