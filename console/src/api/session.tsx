/** The signed-in session: program, CSRF token; sign-in, sign-out and reload of the program. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, setCsrfToken, setUnauthorizedHandler } from './client';
import type { Program, SessionView } from './types';

interface SessionState {
  /** null until the first GET /v1/session answered. */
  status: 'loading' | 'signedIn' | 'signedOut';
  /** The signed-in program. */
  program: Program | null;
  /** Exchange an API key for a session cookie; throws ApiError (401 invalid_api_key, 429). */
  signIn(apiKey: string): Promise<void>;
  /** Revoke the session. */
  signOut(): Promise<void>;
  /** Replace the program after a settings change. */
  setProgram(program: Program): void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionState['status']>('loading');
  const [program, setProgram] = useState<Program | null>(null);

  const accept = useCallback((s: SessionView) => {
    setCsrfToken(s.csrfToken);
    setProgram(s.program);
    setStatus('signedIn');
  }, []);
  const drop = useCallback(() => {
    setCsrfToken(null);
    setProgram(null);
    setStatus('signedOut');
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(drop);
    api<SessionView>('GET', '/v1/session', { allowUnauthorized: true }).then(accept, drop);
    return () => setUnauthorizedHandler(null);
  }, [accept, drop]);

  const value = useMemo<SessionState>(
    () => ({
      status,
      program,
      async signIn(apiKey) {
        accept(await api<SessionView>('POST', '/v1/session', { body: { apiKey }, allowUnauthorized: true }));
      },
      async signOut() {
        try {
          await api('DELETE', '/v1/session', { allowUnauthorized: true });
        } finally {
          drop();
        }
      },
      setProgram,
    }),
    [status, program, accept, drop],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session; only inside SessionProvider. */
export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
