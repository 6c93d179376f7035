/** The choices of the time-zone and currency selects: what this browser's ICU knows (the server checks with Node's). */

/** IANA time zones, sorted; always including `current` so a saved value stays selectable. */
export function timeZoneOptions(current?: string): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  zones.add('UTC');
  if (current) zones.add(current);
  return [...zones].sort();
}

/** ISO 4217 codes, sorted, including `current`. */
export function currencyOptions(current?: string): string[] {
  const codes = new Set(Intl.supportedValuesOf('currency'));
  if (current) codes.add(current);
  return [...codes].sort();
}

/** The browser's own time zone (the onboarding default). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
