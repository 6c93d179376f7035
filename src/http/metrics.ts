/** Prometheus metrics for one app instance (its own registry, so tests can build many apps). */
import type { NextFunction, Request, Response } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface HttpMetrics {
  registry: Registry;
  middleware(req: Request, res: Response, next: NextFunction): void;
}

/** Counts kept elsewhere, read at each scrape. */
export interface MetricSources {
  /** Event transactions and the units (orders, refunds, points events) they committed. */
  groupCommit?: () => { transactions: number; units: number; rerun: number };
  /** The re-sealing of stored secrets at start (docs/decisions/0041); undefined until it ran here. */
  secrets?: () => { resealed: number; unopenable: number } | undefined;
}

export function createHttpMetrics(sources: MetricSources = {}): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { groupCommit, secrets } = sources;
  if (secrets) {
    new Gauge({
      name: 'tierpass_secrets_resealed',
      help: 'Stored webhook secrets sealed or re-sealed under the current key at start (this process)',
      registers: [registry],
      collect() {
        this.set(secrets()?.resealed ?? 0);
      },
    });
    new Gauge({
      name: 'tierpass_webhook_secrets_unopenable',
      help: 'Webhook subscriptions whose stored secret did not open at start (key not in SECRETS_KEYS)',
      registers: [registry],
      collect() {
        this.set(secrets()?.unopenable ?? 0);
      },
    });
  }
  if (groupCommit) {
    const counters = {
      transactions: 'tierpass_event_transactions_total',
      units: 'tierpass_event_units_total',
      rerun: 'tierpass_event_units_rerun_total',
    } as const;
    const help = {
      transactions: 'Database transactions run for events (a group of events commits in one)',
      units: 'Events (orders, refunds, points) committed through event transactions',
      rerun: 'Events run again alone or in a smaller group after their group rolled back',
    } as const;
    for (const key of ['transactions', 'units', 'rerun'] as const) {
      new Counter({
        name: counters[key],
        help: help[key],
        registers: [registry],
        collect() {
          this.reset();
          this.inc(groupCommit()[key]);
        },
      });
    }
  }
  const requests = new Counter({
    name: 'tierpass_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'tierpass_http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    middleware(req, res, next) {
      const start = process.hrtime.bigint();
      res.on('finish', () => {
        // The matched route pattern keeps label cardinality bounded (no ids).
        const route = (req.route?.path as string | undefined) ?? 'unmatched';
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        requests.inc({ method: req.method, route, status: String(res.statusCode) });
        duration.observe({ method: req.method, route }, seconds);
      });
      next();
    },
  };
}
