/**
 * An idle image child exits after `idleMs` (an idle service keeps no ~90 MB child resident),
 * and the next job starts a new one.
 */
import sharp from 'sharp';
import { DEFAULT_IMAGE_WORK_LIMITS, ImageWorkPool } from '../../src/integrations/images/image-work-pool.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let pool: ImageWorkPool;
afterAll(async () => {
  await pool?.close();
});

test('an idle child exits after idleMs and the next job starts another', async () => {
  pool = new ImageWorkPool({ ...DEFAULT_IMAGE_WORK_LIMITS, workers: 1, idleMs: 300 });
  const bytes = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#c90' } })
    .png()
    .toBuffer();
  const inspect = () =>
    pool.run<{ width: number; height: number }>({ op: 'inspect', source: { bytes, format: 'png' } });

  expect(await inspect()).toEqual({ width: 40, height: 20 });
  const [first] = pool.pids;
  expect(first).toBeGreaterThan(0);
  await until('the idle child to exit', () => pool.pids.length === 0 && !alive(first as number));

  expect(await inspect()).toEqual({ width: 40, height: 20 });
  expect(pool.pids).toHaveLength(1);
  expect(pool.pids[0]).not.toBe(first);
}, 120_000);
