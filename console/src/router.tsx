/**
 * A small history-API router (the console has a handful of pages; a routing library would
 * double the shell's JavaScript). Paths are relative to /console.
 */
import {
  type AnchorHTMLAttributes,
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useState,
} from 'react';

export const BASE = '/console';

function currentPath(): string {
  const p = window.location.pathname;
  const rest = p.startsWith(BASE) ? p.slice(BASE.length) : p;
  return rest === '' ? '/' : rest;
}

const RouteContext = createContext<string>('/');

/** Go to a console path (`/tiers/abc`); `replace` keeps the history entry. */
export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  const url = `${BASE}${path}`;
  if (opts.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** Provides the current console path to `useRoute` and re-renders on navigation. */
export function RouterProvider({ children }: { children: ReactNode }) {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return <RouteContext.Provider value={path}>{children}</RouteContext.Provider>;
}

/** The current console path, e.g. `/tiers/abc`. */
export function usePath(): string {
  return useContext(RouteContext);
}

/**
 * Match `pattern` (`/tiers/:tierId`) against the current path: the parameters, or null.
 * Parameters are URI-decoded.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const seg = a[i] as string;
    const val = b[i] as string;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(val);
    else if (seg !== val) return null;
  }
  return params;
}

/** An in-app link: a real <a href> (open in new tab works), navigated without reload. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return (
    <a
      {...rest}
      href={`${BASE}${to}`}
      onClick={(e) => {
        rest.onClick?.(e);
        if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    />
  );
}
