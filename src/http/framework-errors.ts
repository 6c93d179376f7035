/**
 * Errors thrown by express, the router and body-parser (not by our code) mapped to stable
 * 4xx answers. Anything unmapped here is a 500 with an error id.
 */
import type { Request } from 'express';
import { AppError, badRequest } from '../errors.js';

function isObject(err: unknown): err is Record<string, unknown> {
  return typeof err === 'object' && err !== null;
}

/** The 4xx status of an http-errors client error (body-parser), if that is what `err` is. */
function clientErrorStatus(err: Record<string, unknown>): number | undefined {
  const status = err.status ?? err.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

export function frameworkError(err: unknown, req: Request): AppError | undefined {
  if (!isObject(err)) return undefined;
  switch (err.type) {
    case 'entity.parse.failed':
      return badRequest('invalid_json', 'The request body is not valid JSON');
    case 'entity.not.utf8':
      return badRequest('invalid_json', 'The request body is not valid UTF-8');
    case 'entity.too.deep':
      return badRequest('invalid_json', String(err.message));
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', 'The request body is larger than the limit');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_media_type', 'Unsupported body encoding or charset');
    case 'request.aborted':
      return badRequest('request_aborted', 'The request was aborted');
  }
  // The router's decodeURIComponent of a path parameter (`/passes/%ff`): URIError, status 400.
  if (err instanceof URIError) {
    return badRequest('validation_failed', 'A path parameter is not valid percent-encoded UTF-8', [
      { path: 'params', code: 'invalid_encoding', message: 'malformed %-escape or not UTF-8' },
    ]);
  }
  const status = clientErrorStatus(err);
  if (status === undefined) return undefined;
  // body-parser gives an inflate failure (a gzip/deflate/br header on a body that is not) no type.
  const encoding = req.headers['content-encoding'];
  if (status === 400 && encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    return badRequest('invalid_body_encoding', `The body is not valid ${encoding} data`);
  }
  // Any other client error of the framework: its own status and (exposable) message.
  return new AppError(status, 'bad_request', err.expose === true ? String(err.message) : 'Bad request');
}
