/**
 * One subscription's delivery log, cursor-paged (newest first), and the watch of one delivery
 * (a test event, a redelivery): the first page is polled until that delivery's attempt is
 * recorded, so its status code or error shows as soon as the dispatcher has sent it.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';
import type { Delivery, DeliveryPage } from './webhook-types';

export const PAGE_SIZE = 20;
/** How often a watched delivery is looked up, and for how long at most. */
const POLL_MS = 1000;
const WATCH_MS = 60_000;

/** A delivery being followed, and what became of it. */
export interface Watch {
  deliveryId: string;
  /** What was sent, for the outcome message ("Test event"). */
  label: string;
  /** The delivery once attempted (or the last seen when the wait ended); null while waiting. */
  result: Delivery | null;
  /** True when the wait ended without an attempt. */
  timedOut: boolean;
}

export function useDeliveryLog(webhookId: string) {
  // Cursors of the pages seen: the last is the one shown (undefined = the newest page).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<DeliveryPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [watch, setWatch] = useState<Watch | null>(null);
  const cursor = cursors.at(-1);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (cursor) query.set('cursor', cursor);
      try {
        const next = await api<DeliveryPage>(
          'GET',
          `/v1/webhooks/${encodeURIComponent(webhookId)}/deliveries?${query}`,
          { signal },
        );
        setPage(next);
        setError(null);
        return next;
      } catch (err) {
        if (!signal?.aborted) setError(messageOf(err));
        return null;
      }
    },
    [webhookId, cursor],
  );

  useEffect(() => {
    const ctl = new AbortController();
    load(ctl.signal);
    return () => ctl.abort();
  }, [load]);

  // Poll the newest page while a watched delivery has no attempt yet.
  const waiting = watch !== null && watch.result === null && !watch.timedOut;
  useEffect(() => {
    if (!waiting || cursor !== undefined || !watch) return;
    const started = Date.now();
    let stopped = false;
    const tick = async () => {
      const next = await load();
      if (stopped) return;
      const seen = next?.data.find((d) => d.id === watch.deliveryId);
      if (seen && seen.attempts.length > 0) {
        setWatch({ ...watch, result: seen });
      } else if (Date.now() - started > WATCH_MS) {
        setWatch({ ...watch, result: seen ?? null, timedOut: true });
      } else {
        timer = setTimeout(tick, POLL_MS);
      }
    };
    let timer = setTimeout(tick, POLL_MS / 4);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [waiting, cursor, watch, load]);

  return {
    page,
    error,
    watch,
    waiting,
    /** On the newest page. */
    isFirst: cursor === undefined,
    older() {
      if (page?.nextCursor) setCursors([...cursors, page.nextCursor]);
    },
    newer() {
      setCursors(cursors.length > 1 ? cursors.slice(0, -1) : cursors);
    },
    /** Follow `delivery` (just queued) on the newest page until it is attempted. */
    follow(delivery: Delivery, label: string) {
      setCursors([undefined]);
      setWatch({ deliveryId: delivery.id, label, result: null, timedOut: false });
    },
    reload: () => load(),
  };
}
