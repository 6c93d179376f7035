/** GET an API path whenever it changes: its data, error message and whether it is loading. */
import { useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';

export function useApiData<T>(path: string | null): {
  data: T | null;
  error: string | null;
  loading: boolean;
} {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    setState((s) => ({ ...s, error: null, loading: true }));
    api<T>('GET', path, { signal: ctl.signal }).then(
      (data) => setState({ data, error: null, loading: false }),
      (err) => {
        if (!ctl.signal.aborted) setState({ data: null, error: messageOf(err), loading: false });
      },
    );
    return () => ctl.abort();
  }, [path]);
  return state;
}
