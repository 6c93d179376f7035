/** The Express application: middleware, operational endpoints, feature routes, error mapping. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { AppError } from '../errors.js';
import { DatabaseUnavailableError } from '../store/store-errors.js';
import { apiDocsPages } from './api-docs.js';
import { consolePages } from './console-pages.js';
import { frameworkError } from './framework-errors.js';
import { strictQueryParser, verifyJsonBody } from './input-guard.js';
import { redactParams, redactUrl } from './log-redaction.js';
import type { HttpMetrics } from './metrics.js';
import { buildOpenApi } from './openapi.js';
import { RateLimitedError, RateLimits } from './rate-limits.js';
import { ApiRegistry, type Authenticator } from './route.js';

export interface HttpAppDeps {
  logger: Logger;
  authenticator: Authenticator;
  metrics: HttpMetrics;
  /** Each must resolve for /readyz to answer 200. */
  readiness: Record<string, () => Promise<void>>;
  /** Adds the feature routes. */
  registerRoutes(api: ApiRegistry): void;
  trustProxy: boolean;
  version: string;
  /** Failed-credential and expensive-operation limits (http/rate-limits.ts); defaults otherwise. */
  rateLimits?: RateLimits;
  /** Pages opened by people: a browser asking for HTML under `pathPrefix` gets `render(status)` instead of JSON. */
  htmlErrorPages?: { pathPrefix: string; render(status: number): string };
  /** Directory of the built console served at /console (and `/` redirecting to it); without it neither is served. */
  consoleDir?: string;
  /** Counts requests in flight so deferrable work (pass fetches) waits for them (request-priority.ts). */
  requestPriority?: { middleware(): RequestHandler };
  /** Paths whose JSON bodies their route reads raw (a signature over the exact bytes, e.g. Shopify webhooks). */
  rawJsonPaths?: readonly string[];
}

/** Retry-After of a 503 `database_unavailable`: a dropped connection heals at once, a restart in seconds. */
const DATABASE_RETRY_AFTER_S = 2;

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The database is down or the connection dropped (store-errors.ts): 503, try again shortly. */
function databaseUnavailable(err: unknown, res: Response): AppError | undefined {
  if (!(err instanceof DatabaseUnavailableError)) return undefined;
  res.set('Retry-After', String(DATABASE_RETRY_AFTER_S));
  return new AppError(
    503,
    'database_unavailable',
    err.commitUnknown
      ? 'The database connection was lost while committing; the request may have taken effect. Send it again with the same order id or Idempotency-Key'
      : 'The database is unavailable; try again shortly',
  );
}

/** The AppError the error handler answered with, kept on the response for the log line. */
function answeredError(res: { locals?: Record<string, unknown> }): AppError | undefined {
  const e = res.locals?.appError;
  return e instanceof AppError ? e : undefined;
}

/**
 * Request id, `X-Request-Id`, `req.log`, and one log line per request: "request completed"
 * at info, "request errored" at error for 5xx. An expected 5xx (an AppError such as 503
 * `google_wallet_not_configured`) is no fault of the service: "request completed" at warn,
 * without a stack. Secrets in URLs (shopper-link tokens) never reach a log line.
 * pino-http builds a child logger holding the serialised request on every request, even when
 * info lines are filtered out (measured in BENCHMARKS.md); when info is off, a lighter
 * middleware writes the same error and warn lines.
 */
function requestLogging(logger: Logger): RequestHandler {
  if (logger.isLevelEnabled('info')) {
    return pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = requestId(req);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => {
        if (err) return 'error';
        if (res.statusCode >= 500) return answeredError(res) ? 'warn' : 'error';
        return 'info';
      },
      // pino-http makes an Error (with a stack) for every 5xx; an expected one logs its code instead.
      customErrorMessage: (_req, res) => (answeredError(res) ? 'request completed' : 'request errored'),
      customErrorObject: (_req, res, _err, val: Record<string, unknown>) => {
        const known = answeredError(res);
        if (!known) return val;
        const { err: _dropped, ...rest } = val;
        return { ...rest, error: { code: known.code } };
      },
      serializers: {
        req: (r: Record<string, unknown>) => ({
          ...r,
          url: typeof r.url === 'string' ? redactUrl(r.url) : r.url,
          params: redactParams(r.params as Record<string, unknown> | undefined),
        }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      // The serialisers log every header: keep API keys, the admin token and session ids out of the logs.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    });
  }
  return (req, res, next) => {
    const id = requestId(req);
    res.setHeader('X-Request-Id', id);
    req.id = id;
    let log: Logger | undefined;
    // Made on first use only: a successful request never logs.
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: true,
      get: () => {
        log ??= logger.child({ reqId: id });
        return log;
      },
      set: (value: Logger) => {
        log = value;
      },
    });
    const start = Date.now();
    res.once('finish', () => {
      if (res.statusCode < 500) return;
      const known = answeredError(res);
      const line = {
        reqId: id,
        req: { method: req.method, url: redactUrl(req.originalUrl) },
        res: { statusCode: res.statusCode },
        responseTime: Date.now() - start,
      };
      if (known) logger.warn({ ...line, error: { code: known.code } }, 'request completed');
      else logger.error(line, 'request errored');
    });
    next();
  };
}

export function createHttpApp(deps: HttpAppDeps): { app: express.Express; api: ApiRegistry } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.set('query parser', strictQueryParser);
  app.use(requestLogging(deps.logger));
  app.use(deps.metrics.middleware);
  if (deps.requestPriority) app.use(deps.requestPriority.middleware());
  const json = express.json({
    limit: '1mb',
    type: ['application/json', 'application/*+json'],
    verify: verifyJsonBody,
  });
  const rawJsonPaths = new Set(deps.rawJsonPaths ?? []);
  app.use((req, res, next) => (rawJsonPaths.has(req.path) ? next() : json(req, res, next)));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    let ok = true;
    for (const [name, check] of Object.entries(deps.readiness)) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (err) {
        ok = false;
        checks[name] = err instanceof Error ? err.message : 'failed';
      }
    }
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  const router = express.Router();
  const api = new ApiRegistry(router, deps.authenticator, deps.rateLimits ?? new RateLimits());
  deps.registerRoutes(api);
  const openapi = buildOpenApi(api.routes, { title: 'Tierpass API', version: deps.version });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  if (deps.consoleDir !== undefined) app.use(consolePages({ dir: deps.consoleDir }));
  app.use(apiDocsPages());
  app.use(router);

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new AppError(404, 'route_not_found', `No route for ${req.method} ${req.path}`));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = err instanceof AppError ? err : (databaseUnavailable(err, res) ?? frameworkError(err, req));
    if (known) {
      res.locals.appError = known;
      if (known instanceof RateLimitedError) res.set('Retry-After', String(known.retryAfterSeconds));
      // Shopper pages are opened by people: a browser asking for HTML gets a friendly page.
      const pages = deps.htmlErrorPages;
      if (pages && req.path.startsWith(pages.pathPrefix) && req.accepts(['json', 'html']) === 'html') {
        res
          .status(known.status)
          .type('html')
          .set('Cache-Control', 'no-store')
          .send(pages.render(known.status));
        return;
      }
      res.status(known.status).json({
        error: {
          code: known.code,
          message: known.message,
          ...(known.details ? { details: known.details } : {}),
        },
      });
      return;
    }
    const errorId = randomUUID();
    req.log.error({ err, errorId }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal_error', message: 'Internal error', errorId } });
  });
  return { app, api };
}
