/** Placeholder: built by the settings page work. */
export function SettingsPage() {
  return <h1>SettingsPage</h1>;
}
