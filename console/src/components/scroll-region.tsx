/**
 * A horizontally scrollable box for a table wider than a phone screen: a named region that takes
 * keyboard focus, so keyboard users can scroll it too (axe `scrollable-region-focusable`).
 */
import type { ReactNode } from 'react';

export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section className="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
