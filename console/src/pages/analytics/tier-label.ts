/** How analytics name a tier: its title, "(deleted)" for a tier gone since, "No tier" for none. */
export function tierLabel(t: { title: string | null; deleted?: boolean }, id: string | null): string {
  if (id === null) return 'No tier';
  const title = t.title ?? id;
  return t.deleted ? `${title} (deleted)` : title;
}
