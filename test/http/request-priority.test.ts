import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { RequestPriority } from '../../src/http/request-priority.js';

/** Something a test opens when it chooses. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/**
 * A real Express app on a socket: `/urgent/:n` answers when latch n opens; `/deferred/:n` runs
 * deferrable work that records its start and then waits for latch n.
 */
async function harness(priority: RequestPriority) {
  const latches = new Map<string, ReturnType<typeof latch>>();
  const latchOf = (n: string) => {
    let l = latches.get(n);
    if (!l) {
      l = latch();
      latches.set(n, l);
    }
    return l;
  };
  const events: string[] = [];
  const app = express();
  app.use(priority.middleware());
  app.get('/urgent/:n', async (req, res) => {
    events.push(`urgent ${req.params.n} in`);
    await latchOf(`u${req.params.n}`).opened;
    res.send('ok');
  });
  app.get('/deferred/:n', async (req, res) => {
    await priority.deferrable(async () => {
      events.push(`deferred ${req.params.n} start`);
      await latchOf(`d${req.params.n}`).opened;
    });
    res.send('ok');
  });
  app.get('/stepped/:n', async (req, res) => {
    await priority.deferrable(async () => {
      events.push(`stepped ${req.params.n} start`);
      await latchOf(`d${req.params.n}`).opened;
      await priority.checkpoint();
      events.push(`stepped ${req.params.n} resumed`);
    });
    res.send('ok');
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: false });
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  const until = async (what: () => boolean) => {
    while (!what()) await new Promise((r) => setTimeout(r, 5));
  };
  return {
    port,
    events,
    get,
    until,
    open: (n: string) => latchOf(n).open(),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('RequestPriority: pass fetches wait for the other requests', () => {
  it('starts deferrable work only once no other request is in flight', async () => {
    const priority = new RequestPriority({ concurrency: 2, maxDeferMs: 60_000 });
    const h = await harness(priority);
    try {
      const urgent = h.get('/urgent/1');
      await h.until(() => h.events.includes('urgent 1 in'));
      const deferred = h.get('/deferred/1');
      await h.until(() => priority.stats().waiting === 1);
      // The order is in flight: the fetch waits, it does not start.
      expect(h.events).toEqual(['urgent 1 in']);
      expect(priority.stats()).toMatchObject({ urgent: 1, running: 0, waiting: 1 });
      h.open('u1');
      expect(await urgent).toBe(200);
      await h.until(() => h.events.includes('deferred 1 start'));
      h.open('d1');
      expect(await deferred).toBe(200);
      expect(h.events).toEqual(['urgent 1 in', 'deferred 1 start']);
      expect(priority.stats()).toEqual({ urgent: 0, running: 0, waiting: 0, paused: 0, overdueStarts: 0 });
    } finally {
      await h.close();
    }
  }, 30_000);

  it('runs at most `concurrency` at once, in arrival order', async () => {
    const priority = new RequestPriority({ concurrency: 2, maxDeferMs: 60_000 });
    const h = await harness(priority);
    try {
      const fetches = ['1', '2', '3', '4'].map((n) => h.get(`/deferred/${n}`));
      await h.until(() => priority.stats().running === 2 && priority.stats().waiting === 2);
      expect(h.events).toEqual(['deferred 1 start', 'deferred 2 start']);
      h.open('d1');
      await h.until(() => h.events.length === 3);
      expect(h.events[2]).toBe('deferred 3 start');
      expect(priority.stats().running).toBe(2);
      h.open('d2');
      h.open('d3');
      h.open('d4');
      expect(await Promise.all(fetches)).toEqual([200, 200, 200, 200]);
      expect(h.events).toEqual([
        'deferred 1 start',
        'deferred 2 start',
        'deferred 3 start',
        'deferred 4 start',
      ]);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('pauses running work at a checkpoint while a request is in flight', async () => {
    const priority = new RequestPriority({ concurrency: 2, maxDeferMs: 60_000 });
    const h = await harness(priority);
    try {
      const stepped = h.get('/stepped/1');
      await h.until(() => h.events.includes('stepped 1 start'));
      const urgent = h.get('/urgent/1');
      await h.until(() => h.events.includes('urgent 1 in'));
      h.open('d1');
      await h.until(() => priority.stats().paused === 1);
      expect(h.events).toEqual(['stepped 1 start', 'urgent 1 in']);
      h.open('u1');
      expect(await Promise.all([urgent, stepped])).toEqual([200, 200]);
      expect(h.events).toEqual(['stepped 1 start', 'urgent 1 in', 'stepped 1 resumed']);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('a checkpoint with nothing urgent in flight goes straight on', async () => {
    const priority = new RequestPriority({ concurrency: 1, maxDeferMs: 60_000 });
    const h = await harness(priority);
    try {
      const stepped = h.get('/stepped/2');
      await h.until(() => h.events.includes('stepped 2 start'));
      h.open('d2');
      expect(await stepped).toBe(200);
      expect(h.events).toEqual(['stepped 2 start', 'stepped 2 resumed']);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('never starves: a job waiting its longest runs although requests are still in flight', async () => {
    const priority = new RequestPriority({ concurrency: 1, maxDeferMs: 20 });
    const h = await harness(priority);
    try {
      const urgent = h.get('/urgent/1');
      await h.until(() => h.events.includes('urgent 1 in'));
      const deferred = h.get('/deferred/1');
      // The order never finishes on its own; the fetch still starts once overdue.
      await h.until(() => h.events.includes('deferred 1 start'));
      expect(priority.stats()).toMatchObject({ urgent: 1, running: 1, overdueStarts: 1 });
      h.open('d1');
      h.open('u1');
      expect(await Promise.all([urgent, deferred])).toEqual([200, 200]);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('a client that goes away ends its count, although its handler still runs', async () => {
    const priority = new RequestPriority({ concurrency: 1, maxDeferMs: 60_000 });
    const h = await harness(priority);
    try {
      const req = http.get({ host: '127.0.0.1', port: h.port, path: '/urgent/9' });
      req.on('error', () => undefined);
      await h.until(() => priority.stats().urgent === 1);
      req.destroy();
      await h.until(() => priority.stats().urgent === 0);
      h.open('u9');
    } finally {
      await h.close();
    }
  }, 30_000);

  it('waits until nothing else has been in flight for the settle window; an order in it moves it on', async () => {
    // A long window: the order below arrives well inside it even on a busy machine.
    const priority = new RequestPriority({ concurrency: 1, maxDeferMs: 60_000, settleMs: 4000 });
    const h = await harness(priority);
    try {
      const first = h.get('/urgent/1');
      await h.until(() => h.events.includes('urgent 1 in'));
      const deferred = h.get('/deferred/1');
      await h.until(() => priority.stats().waiting === 1);
      h.open('u1');
      expect(await first).toBe(200);
      // The gap after an order: the next one comes before the window is over.
      const second = h.get('/urgent/2');
      await h.until(() => h.events.includes('urgent 2 in'));
      expect(priority.stats()).toMatchObject({ urgent: 1, running: 0, waiting: 1 });
      h.open('u2');
      expect(await second).toBe(200);
      const ended = performance.now();
      await h.until(() => h.events.includes('deferred 1 start'));
      // Not before the window after the second order's end (timers never fire early).
      expect(performance.now() - ended).toBeGreaterThanOrEqual(3900);
      h.open('d1');
      expect(await deferred).toBe(200);
      expect(h.events).toEqual(['urgent 1 in', 'urgent 2 in', 'deferred 1 start']);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('starts at once in a quiet process, and a deferrable request ending does not restart the window', async () => {
    const priority = new RequestPriority({ concurrency: 1, maxDeferMs: 60_000, settleMs: 60_000 });
    const h = await harness(priority);
    try {
      const one = h.get('/deferred/1');
      await h.until(() => h.events.includes('deferred 1 start'));
      h.open('d1');
      expect(await one).toBe(200);
      const two = h.get('/deferred/2');
      await h.until(() => h.events.includes('deferred 2 start'));
      h.open('d2');
      expect(await two).toBe(200);
      expect(priority.stats()).toEqual({ urgent: 0, running: 0, waiting: 0, paused: 0, overdueStarts: 0 });
    } finally {
      await h.close();
    }
  }, 30_000);
});
