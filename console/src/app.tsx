/** Routes of the console: public pages (sign-in, onboarding) and the signed-in pages in the layout. */
import { type ReactNode, useEffect } from 'react';
import { useSession } from './api/session';
import { Layout } from './components/layout';
import { Loading } from './components/lazy-page';
import { AnalyticsPage } from './pages/analytics/lazy-analytics-page';
import { CustomerPage, CustomersPage } from './pages/customers/lazy-customer-pages';
import { DesignerPage } from './pages/designer/lazy-designer-page';
import { KlaviyoPage } from './pages/klaviyo/klaviyo-page';
import { OnboardingPage } from './pages/onboarding/onboarding-page';
import { OperationsPage } from './pages/operations/lazy-operations-page';
import { RehearsalPage } from './pages/rehearsal/lazy-rehearsal-page';
import { SettingsPage } from './pages/settings/settings-page';
import { ShopifyPage } from './pages/shopify/shopify-page';
import { SignInPage } from './pages/sign-in/sign-in-page';
import { SimulatePage } from './pages/simulate/lazy-simulate-page';
import { TierFormPage } from './pages/tiers/tier-form-page';
import { TiersPage } from './pages/tiers/tiers-page';
import { WebhookPage, WebhooksPage } from './pages/webhooks/lazy-webhooks-pages';
import { matchPath, navigate, usePath } from './router';

/** Signed-in pages by path pattern; the first match wins. */
const PAGES: { pattern: string; page: (params: Record<string, string>) => ReactNode }[] = [
  { pattern: '/customers', page: () => <CustomersPage /> },
  { pattern: '/customers/:customerId', page: (p) => <CustomerPage customerId={p.customerId ?? ''} /> },
  { pattern: '/tiers', page: () => <TiersPage /> },
  { pattern: '/tiers/new', page: () => <TierFormPage tierId={null} /> },
  { pattern: '/tiers/:tierId', page: (p) => <TierFormPage tierId={p.tierId ?? null} /> },
  { pattern: '/design', page: () => <DesignerPage tierId={null} /> },
  { pattern: '/design/:tierId', page: (p) => <DesignerPage tierId={p.tierId ?? null} /> },
  { pattern: '/settings', page: () => <SettingsPage /> },
  { pattern: '/shopify', page: () => <ShopifyPage /> },
  { pattern: '/klaviyo', page: () => <KlaviyoPage /> },
  { pattern: '/webhooks', page: () => <WebhooksPage /> },
  { pattern: '/webhooks/:webhookId', page: (p) => <WebhookPage webhookId={p.webhookId ?? ''} /> },
  { pattern: '/analytics', page: () => <AnalyticsPage /> },
  { pattern: '/simulate', page: () => <SimulatePage /> },
  { pattern: '/rehearsal', page: () => <RehearsalPage /> },
  { pattern: '/operations', page: () => <OperationsPage /> },
];

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        This console page does not exist. <a href="/console/tiers">Go to tiers</a>.
      </p>
    </section>
  );
}

export function App() {
  const { status } = useSession();
  const path = usePath();

  useEffect(() => {
    const name = path.split('/')[1] || 'home';
    document.title = `${name[0]?.toUpperCase()}${name.slice(1)} · Tierpass console`;
  }, [path]);

  if (status === 'loading') {
    return <Loading />;
  }
  if (path === '/onboarding') return <OnboardingPage />;
  if (status === 'signedOut') return path === '/sign-in' ? <SignInPage /> : <Redirect to="/sign-in" />;
  // Signed in, a merchant looks customers up (docs/decisions/0030); onboarding still opens the tiers.
  if (path === '/' || path === '/sign-in') return <Redirect to="/customers" />;
  for (const { pattern, page } of PAGES) {
    const params = matchPath(pattern, path);
    if (params) return <Layout>{page(params)}</Layout>;
  }
  return (
    <Layout>
      <NotFound />
    </Layout>
  );
}
