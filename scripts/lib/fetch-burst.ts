/**
 * A burst of pass fetches from its own process (`npm run bench:passes`, `--burst-from process`).
 *
 * The phones that fetch passes after a boundary are not in the server's process. A load generator
 * on the server's event loop parses every pass response there, and the orders measured beside it
 * wait for that parsing too. Started by `runFetchBurst` (fork), it fetches
 * `GET /v1/customers/{prefix}{i}/passes/apple` for i in [0, count) from `clients` keep-alive
 * connections and reports each latency in milliseconds, then exits.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export interface FetchBurst {
  port: number;
  apiKey: string;
  customerPrefix: string;
  count: number;
  clients: number;
}

interface BurstResult {
  latencies: number[];
  failed: string | null;
}

/** Fork the generator, wait until it is ready, start it, resolve with its latencies. */
export async function runFetchBurst(
  burst: FetchBurst,
  onStart: () => void,
): Promise<{ latencies: number[] }> {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = new Promise<BurstResult>((resolve, reject) => {
    child.on('message', (m: { ready?: true; done?: BurstResult }) => {
      if (m.ready) {
        onStart();
        child.send({ go: burst });
      } else if (m.done) resolve(m.done);
    });
    child.once('exit', (code) => reject(new Error(`fetch burst process exited with ${code}`)));
    child.once('error', reject);
  });
  try {
    const done = await result;
    if (done.failed) throw new Error(`pass fetch failed: ${done.failed}`);
    return { latencies: done.latencies };
  } finally {
    child.kill();
  }
}

async function generate(b: FetchBurst): Promise<BurstResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: b.clients });
  const latencies: number[] = [];
  let failed: string | null = null;
  let next = 0;
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: b.port,
          method: 'GET',
          path,
          agent,
          headers: { Authorization: `Bearer ${b.apiKey}` },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  const client = async () => {
    while (next < b.count && failed === null) {
      const i = next++;
      const t = performance.now();
      const status = await get(`/v1/customers/${b.customerPrefix}${i}/passes/apple`);
      latencies.push(performance.now() - t);
      if (status !== 200) failed = `${status} for ${b.customerPrefix}${i}`;
    }
  };
  await Promise.all(Array.from({ length: b.clients }, client));
  agent.destroy();
  return { latencies, failed };
}

if (process.argv.includes('--child') && process.send) {
  process.on('message', (m: { go?: FetchBurst }) => {
    if (!m.go) return;
    void generate(m.go).then(
      (done) => process.send?.({ done }, () => process.exit(0)),
      (err: unknown) =>
        process.send?.({ done: { latencies: [], failed: String(err) } }, () => process.exit(0)),
    );
  });
  process.send({ ready: true });
}
