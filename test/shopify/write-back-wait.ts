/** Dispatch write-backs until `done` holds (retries are due after their backoff); no fixed sleep decides. */
export async function dispatchUntil(
  writeBacks: { dispatch(): Promise<unknown> },
  done: () => boolean,
  what: string,
): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (done()) return;
    await writeBacks.dispatch();
    if (done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}
