/** Placeholder: the pass designer of a tier, or of the program default when tierId is null. */
export function DesignerPage({ tierId }: { tierId: string | null }) {
  return <h1>{tierId ? 'Tier pass design' : 'Program pass design'}</h1>;
}
