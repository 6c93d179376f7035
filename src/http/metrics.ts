/** Prometheus metrics for one app instance (its own registry, so tests can build many apps). */
import type { NextFunction, Request, Response } from 'express';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface HttpMetrics {
  registry: Registry;
  middleware(req: Request, res: Response, next: NextFunction): void;
}

export function createHttpMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
