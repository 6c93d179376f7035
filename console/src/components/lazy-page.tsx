/**
 * A page kept in its own chunk (initial JavaScript budget, decisions 0029 and 0031): the chunk is
 * fetched when the page is first shown, with a loading line until it arrives.
 */
import { type ComponentType, type FunctionComponent, lazy, Suspense } from 'react';

/** The line shown while a page's chunk or the session is loading. */
export function Loading({ text = 'Loading…' }: { text?: string }) {
  return (
    <p className="loading" role="status">
      {text}
    </p>
  );
}

/**
 * The page exported as `exportName` by the module `load` imports, shown inside a Suspense boundary
 * whose fallback reads `loadingText`. Give the returned component a `key` where a different page
 * id must start with a fresh page state.
 */
export function lazyPage<P extends object, K extends string>(
  load: () => Promise<Record<K, ComponentType<P>>>,
  exportName: K,
  loadingText?: string,
): ComponentType<P> {
  const Page = lazy(async () => ({ default: (await load())[exportName] as FunctionComponent<P> }));
  // biome-ignore lint/correctness/noComponentHookFactories: called once per page at module level, like lazy() itself
  return function LazyPage(props: P) {
    return (
      <Suspense fallback={<Loading text={loadingText} />}>
        <Page {...props} />
      </Suspense>
    );
  };
}
