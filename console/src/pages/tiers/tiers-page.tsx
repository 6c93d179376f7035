/** Placeholder: built by the tiers page work. */
export function TiersPage() {
  return <h1>TiersPage</h1>;
}
