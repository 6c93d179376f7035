/** A closed-loop load driver for the benchmarks: C clients, one operation at a time each. */
import { percentile, round } from './proc-cpu.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface LoadResult {
  completed: number;
  errors: number;
  byStatus: Record<string, number>;
  sampleErrors: string[];
  elapsedSeconds: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
}

/**
 * C loops, each issuing one operation at a time until `seconds` have passed (no new operation
 * starts after the deadline; the ones in flight finish and count). Returns throughput and latency.
 * `op` resolves to a status label: "ok" or anything else, counted as an error.
 */
export async function closedLoop(
  clients: number,
  seconds: number,
  op: (client: number, seq: number) => Promise<string>,
  rate?: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  const sampleErrors: string[] = [];
  let errors = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(seconds) * 1_000_000_000n;
  // --rate: each client paces its operations so that together they offer `rate` per second.
  const interval = rate === undefined ? 0 : (clients / rate) * 1e9;
  async function loop(client: number) {
    for (let seq = 0; process.hrtime.bigint() < deadline; seq++) {
      if (interval > 0) {
        const due = start + BigInt(Math.round((client / clients + seq) * interval));
        const wait = Number(due - process.hrtime.bigint()) / 1e6;
        if (wait > 0) await sleep(wait);
        if (process.hrtime.bigint() >= deadline) break;
      }
      const t0 = process.hrtime.bigint();
      let status: string;
      try {
        status = await op(client, seq);
      } catch (err) {
        status = `exception: ${err instanceof Error ? err.message : String(err)}`;
      }
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const label = status === 'ok' ? 'ok' : status.split(' ')[0] || status;
      byStatus[label] = (byStatus[label] ?? 0) + 1;
      if (status !== 'ok') {
        errors++;
        if (sampleErrors.length < 5) sampleErrors.push(status.slice(0, 300));
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, (_, i) => loop(i)));
  const elapsedSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const sorted = Float64Array.from(latencies).sort();
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    completed: latencies.length,
    errors,
    byStatus,
    sampleErrors,
    elapsedSeconds: round(elapsedSeconds, 3),
    perSecond: round(latencies.length / elapsedSeconds, 1),
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted[sorted.length - 1] ?? Number.NaN),
      mean: round(sum / Math.max(1, latencies.length)),
    },
  };
}
