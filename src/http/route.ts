/**
 * Route definitions: one zod schema per input validates the request, yields its
 * type, and feeds the OpenAPI document (http/openapi.ts) — one source for all three.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { AppError, badRequest, type ErrorDetail } from '../errors.js';
import type { ProgramContext } from '../program-context.js';
import { malformedQuery, unsafeStrings } from './input-guard.js';
import type { CredentialKind, RateLimits } from './rate-limits.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type AuthKind = 'apiKey' | 'admin' | 'none';

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HandlerInput<A extends AuthKind, P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The request body's bytes on `rawBody` routes (empty when none was sent); undefined elsewhere. */
  raw: Buffer | undefined;
  /** The caller's program; present on apiKey routes. */
  ctx: A extends 'apiKey' ? ProgramContext : undefined;
  req: Request;
  res: Response;
}

export interface RouteDef<
  A extends AuthKind = AuthKind,
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Express-style path, e.g. /v1/tiers/:tierId */
  path: string;
  summary: string;
  tag: string;
  auth: A;
  params?: P;
  query?: Q;
  body?: B;
  /** The JSON body may be left out: `body` then parses `undefined` (give it a default). */
  bodyOptional?: boolean;
  /** Raw (non-JSON) request body: read as bytes when sent with one of `contentTypes`. */
  rawBody?: RawBodyDef;
  /**
   * A credential checked by the route itself (auth 'none'): its failures, AppErrors with status
   * 401 or with `failureCode`, are counted per client and answered 429 once too many.
   */
  credential?: { kind: CredentialKind; failureCode?: string };
  /** An expensive operation: calls counted per program and per client under this name (429 over the limit). */
  expensive?: string;
  /** Documented request headers. */
  headers?: { name: string; required: boolean; description: string }[];
  responses: Record<number, ResponseDoc>;
  /** Returns the response, or undefined when it wrote to `res` itself. */
  handler(input: HandlerInput<A, z.output<P>, z.output<Q>, z.output<B>>): Promise<HandlerResult | undefined>;
}

export interface RawBodyDef {
  /** Content types read as bytes (others get 415); also the documented ones. */
  contentTypes: string[];
  /** Shown in the OpenAPI document. */
  description: string;
  /** Largest body in bytes; a larger one gets 413 before it is read. */
  maxBytes: number;
  /** Error code of that 413 (default `payload_too_large`). */
  tooLargeCode?: string;
}

/**
 * Reads a raw body after authentication, so an unauthenticated caller never gets to
 * upload megabytes. No body at all reads as an empty buffer; the handler decides.
 */
/** Each raw-body route's reader, made once (not per request). */
const rawReaders = new WeakMap<RawBodyDef, ReturnType<typeof express.raw>>();

async function readRawBody(req: Request, res: Response, def: RawBodyDef): Promise<Buffer> {
  let parse = rawReaders.get(def);
  if (!parse) {
    parse = express.raw({ type: def.contentTypes, limit: def.maxBytes });
    rawReaders.set(def, parse);
  }
  await new Promise<void>((resolve, reject) => {
    parse(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
  }).catch((err: unknown) => {
    if ((err as { type?: unknown }).type !== 'entity.too.large') throw err;
    throw new AppError(
      413,
      def.tooLargeCode ?? 'payload_too_large',
      `The request body is larger than ${def.maxBytes} bytes`,
    );
  });
  if (Buffer.isBuffer(req.body)) return req.body;
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')) {
    throw new AppError(
      415,
      'unsupported_media_type',
      `Send the body as one of: ${def.contentTypes.join(', ')}`,
    );
  }
  return Buffer.alloc(0);
}

/** How a request proves who it is. */
export interface Authenticator {
  /** The program of the API key in the Authorization header; throws 401. */
  program(req: Request): Promise<ProgramContext>;
  /** Throws 401 unless the admin token is presented. */
  admin(req: Request): void;
}

function issuesToDetails(issues: z.core.$ZodIssue[], where: string): ErrorDetail[] {
  return issues.map((i) => ({
    path: [where, ...i.path.map(String)].join('.'),
    code: i.code,
    message: i.message,
  }));
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> {
  if (!schema) return undefined as z.output<T>;
  const r = schema.safeParse(value);
  if (!r.success) {
    throw badRequest('validation_failed', `Invalid ${where}`, issuesToDetails(r.error.issues, where));
  }
  return r.data;
}

/**
 * The one string rule of every input (input-guard.ts), applied to all of them whatever the
 * route's schemas say: a string that cannot be stored is refused, never altered.
 */
function refuseUnsafeStrings(req: Request): void {
  const query = req.query;
  const badQuery = malformedQuery(query);
  const details = [
    ...unsafeStrings(req.params, 'params'),
    ...(badQuery ? [badQuery] : unsafeStrings(query, 'query')),
    ...(Buffer.isBuffer(req.body) ? [] : unsafeStrings(req.body, 'body')),
  ];
  if (details.length > 0) {
    throw badRequest(
      'validation_failed',
      'Input strings must be percent-encoded UTF-8 without NUL or lone surrogates',
      details,
    );
  }
}

/** Registers routes on an express router and remembers them for the OpenAPI document. */
export class ApiRegistry {
  readonly routes: RouteDef[] = [];

  constructor(
    private readonly router: Router,
    private readonly auth: Authenticator,
    private readonly limits: RateLimits,
  ) {}

  add<A extends AuthKind, P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
    def: RouteDef<A, P, Q, B>,
  ): void {
    const kind: CredentialKind | undefined =
      def.auth === 'apiKey' ? 'apiKey' : def.auth === 'admin' ? 'admin' : def.credential?.kind;
    const limited = kind || def.expensive ? withTooManyRequests(def) : def;
    this.routes.push(limited as unknown as RouteDef);
    const handle = this.handler(def);
    this.router[def.method](def.path, async (req: Request, res: Response) => {
      if (kind === undefined) return handle(req, res);
      this.limits.checkCredential(req, kind);
      try {
        await handle(req, res);
      } catch (err) {
        if (err instanceof AppError && (err.status === 401 || err.code === def.credential?.failureCode)) {
          await this.limits.credentialFailed(req, kind);
        }
        throw err;
      }
    });
  }

  private handler<A extends AuthKind, P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
    def: RouteDef<A, P, Q, B>,
  ): (req: Request, res: Response) => Promise<void> {
    return async (req, res) => {
      let ctx: ProgramContext | undefined;
      if (def.auth === 'apiKey') ctx = await this.auth.program(req);
      else if (def.auth === 'admin') this.auth.admin(req);
      // Counted once the caller is known, before a raw body is read or any work done.
      if (def.expensive) await this.limits.expensive(req, def.expensive, ctx?.program.id);
      if (def.body && req.body === undefined) {
        if (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') {
          throw new AppError(415, 'unsupported_media_type', 'Send the body as application/json');
        }
        if (!def.bodyOptional) throw badRequest('validation_failed', 'A JSON request body is required');
      }
      refuseUnsafeStrings(req);
      const raw = def.rawBody ? await readRawBody(req, res, def.rawBody) : undefined;
      const result = await def.handler({
        params: parse(def.params, req.params, 'params'),
        query: parse(def.query, req.query, 'query'),
        body: parse(def.body, req.body, 'body'),
        raw,
        ctx: ctx as HandlerInput<A, unknown, unknown, unknown>['ctx'],
        req,
        res,
      });
      if (!result) return;
      if (result.headers) res.set(result.headers);
      if (result.body === undefined) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    };
  }
}

/** The route as documented: with its 429 answer. */
function withTooManyRequests(def: RouteDef<AuthKind, z.ZodType, z.ZodType, z.ZodType>) {
  const what = def.expensive ? 'too many calls of this operation' : 'too many failed credential checks';
  return {
    ...def,
    responses: {
      ...def.responses,
      429: { description: `rate_limited: ${what} (see Retry-After)` },
    },
  };
}
