/** Placeholder: built by the onboarding page work. */
export function OnboardingPage() {
  return <h1>OnboardingPage</h1>;
}
