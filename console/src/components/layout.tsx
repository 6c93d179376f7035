/** The signed-in frame: header with program name and sign-out, navigation, the page. */
import type { ReactNode } from 'react';
import { useSession } from '../api/session';
import { Link, navigate, usePath } from '../router';

/** `testOnly`: shown to test programs only. */
const NAV: { to: string; label: string; testOnly?: boolean }[] = [
  { to: '/customers', label: 'Customers' },
  { to: '/tiers', label: 'Tiers' },
  { to: '/design', label: 'Pass design' },
  { to: '/analytics', label: 'Analytics' },
  { to: '/simulate', label: 'Test before launch' },
  { to: '/rehearsal', label: 'Rehearsal', testOnly: true },
  { to: '/shopify', label: 'Shopify' },
  { to: '/klaviyo', label: 'Klaviyo' },
  { to: '/webhooks', label: 'Webhooks' },
  { to: '/operations', label: 'Operations' },
  { to: '/settings', label: 'Program settings' },
];

export function Layout({ children }: { children: ReactNode }) {
  const { program, signOut } = useSession();
  const path = usePath();
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/customers" className="brand">
          Tierpass
        </Link>
        <span className="program-name" title="Signed-in program">
          {program?.name}
          {program?.mode === 'test' ? <span className="badge">Test</span> : null}
        </span>
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            await signOut();
            navigate('/sign-in', { replace: true });
          }}
        >
          Sign out
        </button>
      </header>
      <nav className="sidenav" aria-label="Console">
        <ul>
          {NAV.filter((n) => !n.testOnly || program?.mode === 'test').map((n) => (
            <li key={n.to}>
              <Link to={n.to} aria-current={path.startsWith(n.to) ? 'page' : undefined}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">{children}</main>
    </div>
  );
}
