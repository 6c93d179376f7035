/**
 * At the phone viewport the page must fit its width: nothing but inner regions may scroll
 * sideways. Polled, since charts resize to their box one frame after the viewport changes.
 */
import type { Page } from 'playwright-core';
import { eventually, VIEWPORTS } from './console-harness.js';

export async function expectFitsPhoneWidth(page: Page): Promise<void> {
  const before = page.viewportSize();
  await page.setViewportSize(VIEWPORTS.phone);
  try {
    await eventually(`the page fits ${VIEWPORTS.phone.width} px`, async () => {
      const width = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
            .documentElement.scrollWidth,
      );
      return width <= VIEWPORTS.phone.width;
    });
  } finally {
    if (before) await page.setViewportSize(before);
  }
}
