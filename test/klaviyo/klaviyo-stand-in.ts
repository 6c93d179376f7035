/**
 * A local Klaviyo on a real socket (127.0.0.1): GET /api/accounts/, POST /api/events, POST
 * /api/profile-import, POST /api/profile-bulk-import-jobs (≤ 10,000 profiles, ≤ 5 MB), POST
 * /api/data-privacy-deletion-jobs (exactly one identifier) and GET /api/profiles/ filtered by
 * external id, as Klaviyo's REST API answers them. Every request must carry
 * `Authorization: Klaviyo-API-Key <the key>` (else 401) and the `revision` of the vendored schema
 * (else 400); POSTs must be `application/vnd.api+json` (else 415) and valid against Klaviyo's
 * published request schema (test/fixtures/klaviyo, else 400), and name the profile by at least
 * one identifier, as Klaviyo requires. Throttling with `Retry-After` on demand.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  KLAVIYO_SCHEMAS,
  validateBulkImport,
  validateDeletion,
  validateEvent,
  validateProfile,
} from './openapi-schema.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  status: number;
  body: unknown;
  /** Why the stand-in refused it (schema errors, headers), empty when accepted. */
  errors: string[];
}

interface EventBody {
  data: {
    attributes: {
      unique_id?: string;
      time?: string;
      properties: Record<string, unknown>;
      metric: { data: { attributes: { name: string } } };
      profile: { data: { attributes: Record<string, unknown> } };
    };
  };
}

interface ProfileData {
  id?: string | null;
  attributes: { external_id?: string; email?: string; properties?: Record<string, unknown> };
  meta?: { patch_properties?: { unset?: string | string[] } };
}

interface ProfileBody {
  data: ProfileData;
}

/** Klaviyo's limits for one bulk import job. */
const BULK_MAX_PROFILES = 10_000;
const BULK_MAX_BYTES = 5 * 1024 * 1024;

export interface KlaviyoStandIn {
  origin: string;
  /** The private key it accepts (change it to make the current one refused). */
  apiKey: string;
  accountId: string;
  requests: ReceivedRequest[];
  /** Accepted events, in arrival order; a repeated unique_id is dropped as Klaviyo does. */
  events: EventBody['data']['attributes'][];
  /** Profiles by external id: their properties as Klaviyo would hold them. */
  profiles: Map<string, { email?: string; properties: Record<string, unknown> }>;
  /** Accepted bulk import jobs: their id and the external ids (or emails) of their profiles. */
  bulkJobs: { id: string; profiles: string[]; bytes: number }[];
  /** Accepted profile deletions: the identifier asked for, and the profiles deleted. */
  deletions: { by: Record<string, string>; deleted: string[] }[];
  /** Answer the next `n` requests 429 with `Retry-After: <retryAfterSeconds>`. */
  throttle(n: number, retryAfterSeconds: number): void;
  /** Answer `n` requests to `path` 429, after letting `after` of them through. */
  throttlePath(path: string, n: number, retryAfterSeconds: number, after?: number): void;
  close(): Promise<void>;
}

const JSON_API = 'application/vnd.api+json';

function send(
  res: http.ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': JSON_API }), ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

const error = (status: number, code: string, detail: string) => ({
  errors: [{ id: 'x', status, code, title: code, detail, source: { pointer: '/data/' } }],
});

export async function startKlaviyoStandIn(apiKey = 'pk_standin_0123456789abcdef'): Promise<KlaviyoStandIn> {
  const requests: ReceivedRequest[] = [];
  const events: KlaviyoStandIn['events'] = [];
  const profiles: KlaviyoStandIn['profiles'] = new Map();
  let throttled = 0;
  let retryAfter = 1;
  const pathThrottles = new Map<string, { n: number; seconds: number; after: number }>();
  const bulkJobs: KlaviyoStandIn['bulkJobs'] = [];
  const deletions: KlaviyoStandIn['deletions'] = [];
  /** Create or update a profile as Klaviyo does; its key, or an error. */
  const upsert = (p: ProfileData): string | null => {
    if (!p.attributes.external_id && !p.attributes.email) return null;
    const key = p.attributes.external_id ?? (p.attributes.email as string);
    const was = profiles.get(key);
    const properties = { ...(was?.properties ?? {}), ...(p.attributes.properties ?? {}) };
    const unset = p.meta?.patch_properties?.unset ?? [];
    for (const k of typeof unset === 'string' ? [unset] : unset) delete properties[k];
    profiles.set(key, { email: p.attributes.email ?? was?.email, properties });
    return key;
  };

  const self: KlaviyoStandIn = {
    origin: '',
    apiKey,
    accountId: 'XyZ123',
    requests,
    events,
    profiles,
    bulkJobs,
    deletions,
    throttle(n, seconds) {
      throttled = n;
      retryAfter = seconds;
    },
    throttlePath(path, n, seconds, after = 0) {
      pathThrottles.set(path, { n, seconds, after });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [rawPath = '', query = ''] = (req.url ?? '').split('?');
      // Klaviyo answers a path with or without its trailing slash alike.
      const path = rawPath.length > 5 ? rawPath.replace(/\/$/, '') : rawPath;
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      const answer = (status: number, errors: string[], out?: unknown, headers?: Record<string, string>) => {
        requests.push({ method: req.method ?? '', path, status, body, errors });
        send(res, status, out, headers);
      };
      if (throttled > 0) {
        throttled -= 1;
        return answer(429, ['throttled'], error(429, 'throttled', 'Request was throttled.'), {
          'retry-after': String(retryAfter),
        });
      }
      const pathThrottle = pathThrottles.get(path);
      if (pathThrottle && pathThrottle.after > 0) pathThrottle.after -= 1;
      else if (pathThrottle && pathThrottle.n > 0) {
        pathThrottle.n -= 1;
        return answer(429, ['throttled'], error(429, 'throttled', 'Request was throttled.'), {
          'retry-after': String(pathThrottle.seconds),
        });
      }
      if (req.headers.authorization !== `Klaviyo-API-Key ${self.apiKey}`) {
        return answer(
          401,
          ['bad key'],
          error(401, 'not_authenticated', 'Incorrect authentication credentials.'),
        );
      }
      if (req.headers.revision !== KLAVIYO_SCHEMAS.revision) {
        return answer(400, [`revision ${req.headers.revision}`], error(400, 'invalid', 'Invalid revision.'));
      }
      if (req.method === 'GET' && path === '/api/profiles') {
        const filter = new URLSearchParams(query).get('filter') ?? '';
        const m = /^equals\(external_id,"((?:[^"\\]|\\.)*)"\)$/.exec(filter);
        if (!m) return answer(400, [`filter ${filter}`], error(400, 'invalid', 'Invalid filter.'));
        const external = (m[1] as string).replace(/\\(.)/g, '$1');
        const found = profiles.get(external);
        return answer(200, [], {
          data: found
            ? [{ type: 'profile', id: `01PROFILE${external}`, attributes: { external_id: external } }]
            : [],
        });
      }
      if (req.method === 'GET' && path === '/api/accounts') {
        return answer(200, [], {
          data: [{ type: 'account', id: self.accountId, attributes: { contact_information: {} } }],
        });
      }
      const posts = [
        '/api/events',
        '/api/profile-import',
        '/api/profile-bulk-import-jobs',
        '/api/data-privacy-deletion-jobs',
      ];
      if (req.method !== 'POST' || !posts.includes(path)) {
        return answer(404, ['no such route'], error(404, 'not_found', 'Not found.'));
      }
      if ((req.headers['content-type'] ?? '').split(';')[0] !== JSON_API) {
        return answer(
          415,
          [`content type ${req.headers['content-type']}`],
          error(415, 'unsupported', 'Bad type.'),
        );
      }
      try {
        body = JSON.parse(raw);
      } catch {
        return answer(400, ['not JSON'], error(400, 'parse_error', 'Malformed JSON.'));
      }
      if (path === '/api/events') {
        const errors = validateEvent(body);
        const e = (body as EventBody).data?.attributes;
        const who = e?.profile?.data?.attributes ?? {};
        if (
          errors.length === 0 &&
          !['email', 'phone_number', 'external_id', 'anonymous_id'].some((k) => who[k])
        ) {
          errors.push('the profile needs an identifier');
        }
        if (errors.length > 0) return answer(400, errors, error(400, 'invalid', errors.join('; ')));
        if (!(e.unique_id && events.some((x) => x.unique_id === e.unique_id))) events.push(e);
        return answer(202, []);
      }
      if (path === '/api/profile-bulk-import-jobs') {
        if (Buffer.byteLength(raw) > BULK_MAX_BYTES) {
          return answer(413, ['over 5 MB'], error(413, 'too_large', 'The payload is over 5 MB.'));
        }
        const errors = validateBulkImport(body);
        const list = (body as { data: { attributes: { profiles: { data: ProfileData[] } } } }).data
          ?.attributes?.profiles?.data;
        if (errors.length === 0 && list.length > BULK_MAX_PROFILES) errors.push('over 10,000 profiles');
        if (errors.length === 0 && list.length === 0) errors.push('no profiles');
        if (errors.length === 0 && list.some((p) => !p.attributes.external_id && !p.attributes.email)) {
          errors.push('a profile needs an identifier');
        }
        if (errors.length > 0) return answer(400, errors, error(400, 'invalid', errors.join('; ')));
        const id = `BULK${bulkJobs.length + 1}`;
        bulkJobs.push({ id, profiles: list.map((p) => upsert(p) as string), bytes: Buffer.byteLength(raw) });
        return answer(202, [], {
          data: {
            type: 'profile-bulk-import-job',
            id,
            attributes: { status: 'queued', created_at: new Date().toISOString(), total_count: list.length },
          },
        });
      }
      if (path === '/api/data-privacy-deletion-jobs') {
        const errors = validateDeletion(body);
        const who = (body as { data: { attributes: { profile: { data: ProfileData & { id?: string } } } } })
          .data?.attributes?.profile?.data;
        const by: Record<string, string> = {};
        if (errors.length === 0) {
          for (const k of ['email', 'phone_number'] as const) {
            const v = (who.attributes as Record<string, unknown>)[k];
            if (typeof v === 'string') by[k] = v;
          }
          if (typeof who.id === 'string') by.id = who.id;
          if (Object.keys(by).length !== 1) errors.push('exactly one identifier is required');
        }
        if (errors.length > 0) return answer(400, errors, error(400, 'invalid', errors.join('; ')));
        const deleted = [...profiles].filter(
          ([key, p]) => (by.email !== undefined && p.email === by.email) || by.id === `01PROFILE${key}`,
        );
        for (const [key] of deleted) profiles.delete(key);
        deletions.push({ by, deleted: deleted.map(([key]) => key) });
        return answer(202, []);
      }
      const errors = validateProfile(body);
      const p = (body as ProfileBody).data;
      if (errors.length === 0 && !p.attributes.external_id && !p.attributes.email) {
        errors.push('the profile needs an identifier');
      }
      if (errors.length > 0) return answer(400, errors, error(400, 'invalid', errors.join('; ')));
      const existed = profiles.has(p.attributes.external_id ?? (p.attributes.email as string));
      const key = upsert(p) as string;
      const properties = profiles.get(key)?.properties;
      return answer(existed ? 200 : 201, [], {
        data: { type: 'profile', id: `01PROFILE${key}`, attributes: { ...p.attributes, properties } },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return self;
}
