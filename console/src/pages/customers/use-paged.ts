/** A cursor-paged list read from the API: the first page when the path changes, then "load more". */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, messageOf } from '../../api/client';
import type { Paged } from './customer-types';

export interface PagedList<T> {
  items: T[];
  /** True until the first page of the current path arrived. */
  loading: boolean;
  /** True while a further page is on its way. */
  loadingMore: boolean;
  hasMore: boolean;
  error: string | null;
  loadMore(): void;
  /** Read the first page again (after an action changed the data). */
  reload(): void;
}

function withCursor(path: string, cursor: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
}

/** `path` without a cursor; null reads nothing. Answers of an older path are dropped. */
export function usePaged<T>(path: string | null): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const current = useRef<AbortController | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` asks for a reload of the same path
  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    current.current?.abort();
    current.current = ctl;
    setLoading(true);
    setError(null);
    api<Paged<T>>('GET', path, { signal: ctl.signal }).then(
      (page) => {
        if (ctl.signal.aborted) return;
        setItems(page.data);
        setNext(page.nextCursor);
        setLoading(false);
      },
      (err) => {
        if (ctl.signal.aborted) return;
        setError(messageOf(err));
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [path, generation]);

  const loadMore = useCallback(() => {
    if (path === null || next === null || loadingMore) return;
    const ctl = current.current;
    setLoadingMore(true);
    api<Paged<T>>('GET', withCursor(path, next), { signal: ctl?.signal }).then(
      (page) => {
        if (ctl?.signal.aborted) return; // the list moved on to another path meanwhile
        setItems((xs) => [...xs, ...page.data]);
        setNext(page.nextCursor);
        setLoadingMore(false);
      },
      (err) => {
        if (ctl?.signal.aborted) return;
        setError(messageOf(err));
        setLoadingMore(false);
      },
    );
  }, [path, next, loadingMore]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { items, loading, loadingMore, hasMore: next !== null, error, loadMore, reload };
}
