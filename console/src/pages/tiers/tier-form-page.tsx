/** Placeholder: create (no tierId) or edit a tier. */
export function TierFormPage({ tierId }: { tierId: string | null }) {
  return <h1>{tierId ? 'Edit tier' : 'New tier'}</h1>;
}
