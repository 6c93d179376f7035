/** The Express application: middleware, operational endpoints, feature routes, error mapping. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { DatabaseUnavailableError } from '../store/store-errors.js';
import { AppError } from './errors.js';
import type { HttpMetrics } from './metrics.js';
import { buildOpenApi } from './openapi.js';
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

/** Body-parser and other framework errors carry a `type` and a status. */
function frameworkError(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  switch ((err as { type: unknown }).type) {
    case 'entity.parse.failed':
      return new AppError(400, 'invalid_json', 'The request body is not valid JSON');
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', 'The request body is larger than the limit');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_media_type', 'Unsupported body encoding or charset');
    case 'request.aborted':
      return new AppError(400, 'request_aborted', 'The request was aborted');
    default:
      return undefined;
  }
}

/**
 * Request id, `X-Request-Id`, `req.log`, and one log line per request: "request completed"
 * at info, "request errored" at error for 5xx. pino-http builds a child logger holding the
 * serialised request on every request, even when info lines are filtered out (measured in
 * BENCHMARKS.md); when info is off, a lighter middleware writes the same error lines.
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
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      // The request serialiser logs every header: keep API keys and the admin token out of the logs.
      redact: ['req.headers.authorization', 'req.headers.cookie'],
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
      logger.error(
        {
          reqId: id,
          req: { method: req.method, url: req.originalUrl },
          res: { statusCode: res.statusCode },
          responseTime: Date.now() - start,
        },
        'request errored',
      );
    });
    next();
  };
}

export function createHttpApp(deps: HttpAppDeps): { app: express.Express; api: ApiRegistry } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.use(requestLogging(deps.logger));
  app.use(deps.metrics.middleware);
  app.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));

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
  const api = new ApiRegistry(router, deps.authenticator);
  deps.registerRoutes(api);
  const openapi = buildOpenApi(api.routes, { title: 'Tierpass API', version: deps.version });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(router);

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new AppError(404, 'route_not_found', `No route for ${req.method} ${req.path}`));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = err instanceof AppError ? err : (frameworkError(err) ?? databaseUnavailable(err, res));
    if (known) {
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
