/**
 * A local Google stand-in on a real socket: an OAuth token endpoint that checks the service
 * account's signed assertion and issues bearer tokens, and the Wallet REST endpoints Tierpass
 * uses (loyaltyClass, loyaltyObject: insert, get, patch, update; addMessage), which refuse
 * requests without a token it issued. It stores what it is sent and can be told to fail the
 * next N Wallet calls.
 *
 * It keeps the Wallet API's documented rules (docs/decisions/0040-wallet-conformance.md):
 * - patch changes only the fields sent (a field left out keeps its old value; an array sent
 *   replaces the whole array); update (PUT) replaces the resource, clearing what is left out;
 * - `loyaltyPoints.balance.int` is an int32 (a larger value is a 400);
 * - at most 3 TEXT_AND_NOTIFY messages per object in any 24 hours (a 4th is a 429
 *   QuotaExceeded), counted on the stand-in's clock (`now`);
 * - an object holds at most 10 messages (an 11th is a 400).
 */
import { createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const WALLET_PATH = '/walletobjects/v1';
export const CLIENT_EMAIL = 'tierpass-test@tierpass-test.iam.gserviceaccount.com';

/** A throwaway service account: its key file on disk and its public key. */
export interface TestServiceAccount {
  keyFile: string;
  publicKey: KeyObject;
  privateKeyPem: string;
}

/** Generate an RSA key pair and write a service account key file into `dir`. */
export async function makeServiceAccount(dir: string): Promise<TestServiceAccount> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyFile = join(dir, 'service-account.json');
  await writeFile(
    keyFile,
    JSON.stringify({
      type: 'service_account',
      project_id: 'tierpass-test',
      private_key_id: 'test-key-1',
      private_key: privateKeyPem,
      client_email: CLIENT_EMAIL,
      client_id: '1234567890',
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
  );
  return { keyFile, publicKey, privateKeyPem };
}

/** Decode a JWT and check its RS256 signature with `key`; throws when it does not verify. */
export function verifyJwt(
  jwt: string,
  key: KeyObject,
): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, c, s] = jwt.split('.');
  if (!h || !c || !s) throw new Error('not a JWT');
  const ok = createVerify('RSA-SHA256').update(`${h}.${c}`).verify(key, Buffer.from(s, 'base64url'));
  if (!ok) throw new Error('JWT signature does not verify');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    claims: JSON.parse(Buffer.from(c, 'base64url').toString('utf8')),
  };
}

/** One request the Wallet endpoints received. */
export interface WalletRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** Answered with this status. */
  status: number;
  body: unknown;
}

export interface StoredMessage {
  id: string;
  header: string;
  body: string;
  messageType: string;
}

export interface GoogleStandIn {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  tokenUrl: string;
  apiRoot: string;
  classes: Map<string, Record<string, unknown>>;
  objects: Map<string, Record<string, unknown> & { messages?: StoredMessage[] }>;
  requests: WalletRequest[];
  /** Token requests with the claims of their (verified) assertions. */
  tokenRequests: Record<string, unknown>[];
  /**
   * Answer the next `n` Wallet calls with `status` (a JSON error body); with `only`, just the
   * calls whose `METHOD path` it matches (e.g. /addMessage$/), the others are served.
   */
  failNext(n: number, status?: number, only?: RegExp): void;
  /** Forget every issued token (the client must fetch a new one). */
  revokeTokens(): void;
  /** Tokens issued so far and still valid. */
  validTokens(): Set<string>;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
const googleError = (res: ServerResponse, status: number, message: string) =>
  json(res, status, { error: { code: status, message, status: 'ERROR' } });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Google's documented limits the stand-in enforces. */
export const STAND_IN_LIMITS = { notifyPer24h: 3, messagesPerObject: 10 } as const;
const INT32_MAX = 2 ** 31 - 1;

/** The first reason a loyaltyObject body breaks the published schema, or null. */
function objectSchemaError(body: Record<string, unknown>): string | null {
  const balance = (body.loyaltyPoints as { balance?: Record<string, unknown> } | undefined)?.balance;
  if (balance && 'int' in balance) {
    const n = balance.int;
    if (typeof n !== 'number' || !Number.isInteger(n) || n > INT32_MAX || n < -INT32_MAX - 1) {
      return `Invalid value at 'resource.loyalty_points.balance.int' (TYPE_INT32), ${String(n)}`;
    }
  }
  if (balance && 'string' in balance && typeof balance.string !== 'string') {
    return "Invalid value at 'resource.loyalty_points.balance.string' (TYPE_STRING)";
  }
  const messages = body.messages;
  if (Array.isArray(messages) && messages.length > STAND_IN_LIMITS.messagesPerObject) {
    return `An object can hold at most ${STAND_IN_LIMITS.messagesPerObject} messages`;
  }
  return null;
}

export async function startGoogleStandIn(
  account: { publicKey: KeyObject },
  opts: { now?: () => Date } = {},
): Promise<GoogleStandIn> {
  const now = opts.now ?? (() => new Date());
  /** Times of the TEXT_AND_NOTIFY messages accepted, per object id. */
  const notified = new Map<string, number[]>();
  const classes = new Map<string, Record<string, unknown>>();
  const objects = new Map<string, Record<string, unknown> & { messages?: StoredMessage[] }>();
  const requests: WalletRequest[] = [];
  const tokenRequests: Record<string, unknown>[] = [];
  let tokens = new Set<string>();
  let tokenSeq = 0;
  let failures: { left: number; status: number; only?: RegExp } = { left: 0, status: 500 };

  async function token(req: IncomingMessage, res: ServerResponse) {
    const form = new URLSearchParams(await readBody(req));
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return json(res, 400, { error: 'unsupported_grant_type', error_description: 'jwt-bearer only' });
    }
    let claims: Record<string, unknown>;
    try {
      claims = verifyJwt(form.get('assertion') ?? '', account.publicKey).claims;
    } catch (err) {
      return json(res, 400, { error: 'invalid_grant', error_description: String(err) });
    }
    tokenRequests.push(claims);
    if (claims.iss !== CLIENT_EMAIL || !String(claims.scope).includes('wallet_object.issuer')) {
      return json(res, 400, { error: 'invalid_scope', error_description: 'wrong issuer or scope' });
    }
    tokenSeq += 1;
    const accessToken = `stand-in-token-${tokenSeq}-${Date.now()}`;
    tokens.add(accessToken);
    return json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 });
  }

  function wallet(method: string, path: string, body: Record<string, unknown>, res: ServerResponse): number {
    const parts = path
      .slice(WALLET_PATH.length + 1)
      .split('/')
      .map(decodeURIComponent);
    const [resource, id, action] = parts;
    const store = resource === 'loyaltyClass' ? classes : resource === 'loyaltyObject' ? objects : null;
    if (!store) {
      googleError(res, 404, `unknown resource ${resource}`);
      return 404;
    }
    if (method === 'POST' && id === undefined) {
      const newId = String(body.id ?? '');
      if (!/^\d+\.[\w.-]+$/.test(newId)) {
        googleError(res, 400, `invalid resource id ${newId}`);
        return 400;
      }
      if (store.has(newId)) {
        googleError(res, 409, `resource ${newId} already exists`);
        return 409;
      }
      if (resource === 'loyaltyObject' && !classes.has(String(body.classId))) {
        googleError(res, 400, `class ${String(body.classId)} does not exist`);
        return 400;
      }
      const invalid = resource === 'loyaltyObject' ? objectSchemaError(body) : null;
      if (invalid) {
        googleError(res, 400, invalid);
        return 400;
      }
      store.set(newId, { ...body });
      json(res, 200, store.get(newId));
      return 200;
    }
    const existing = id === undefined ? undefined : store.get(id);
    if (!existing) {
      googleError(res, 404, `resource ${id} not found`);
      return 404;
    }
    if (method === 'GET' && action === undefined) {
      json(res, 200, existing);
      return 200;
    }
    if ((method === 'PATCH' || method === 'PUT') && action === undefined) {
      if (resource === 'loyaltyObject' && body.classId !== undefined && !classes.has(String(body.classId))) {
        googleError(res, 400, `class ${String(body.classId)} does not exist`);
        return 400;
      }
      const invalid = resource === 'loyaltyObject' ? objectSchemaError(body) : null;
      if (invalid) {
        googleError(res, 400, invalid);
        return 400;
      }
      // Patch: only the fields sent (arrays replaced whole). Update: the resource as sent.
      if (method === 'PUT') for (const key of Object.keys(existing)) delete existing[key];
      Object.assign(existing, body, { id });
      json(res, 200, existing);
      return 200;
    }
    if (method === 'POST' && action === 'addMessage' && resource === 'loyaltyObject') {
      const message = (body as { message?: StoredMessage }).message;
      if (!message || !['TEXT', 'TEXT_AND_NOTIFY'].includes(message.messageType)) {
        googleError(res, 400, 'message.messageType must be TEXT or TEXT_AND_NOTIFY');
        return 400;
      }
      const messages = (existing.messages ?? []) as StoredMessage[];
      if (messages.length >= STAND_IN_LIMITS.messagesPerObject) {
        googleError(res, 400, `An object can hold at most ${STAND_IN_LIMITS.messagesPerObject} messages`);
        return 400;
      }
      if (message.messageType === 'TEXT_AND_NOTIFY') {
        const at = now().getTime();
        const recent = (notified.get(id as string) ?? []).filter((t) => t > at - 86_400_000);
        if (recent.length >= STAND_IN_LIMITS.notifyPer24h) {
          googleError(res, 429, 'QuotaExceededException: at most 3 notifying messages per pass in 24 hours');
          return 429;
        }
        notified.set(id as string, [...recent, at]);
      }
      existing.messages = [...messages, message];
      json(res, 200, { resource: existing });
      return 200;
    }
    googleError(res, 405, `${method} ${path} is not supported`);
    return 405;
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (path === '/token' && method === 'POST') {
      token(req, res).catch((err: unknown) => json(res, 500, { error: String(err) }));
      return;
    }
    readBody(req)
      .then((text) => {
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        const authorization = req.headers.authorization;
        const record = (status: number) => requests.push({ method, path, authorization, status, body });
        const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
        if (!bearer || !tokens.has(bearer)) {
          googleError(res, 401, 'Request is missing required authentication credential');
          return record(401);
        }
        if (!path.startsWith(`${WALLET_PATH}/`)) {
          googleError(res, 404, 'not found');
          return record(404);
        }
        if (failures.left > 0 && (!failures.only || failures.only.test(`${method} ${path}`))) {
          failures.left -= 1;
          googleError(res, failures.status, 'stand-in told to fail');
          return record(failures.status);
        }
        record(wallet(method, path, body, res));
      })
      .catch((err: unknown) => json(res, 500, { error: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenUrl: `${url}/token`,
    apiRoot: `${url}${WALLET_PATH}`,
    classes,
    objects,
    requests,
    tokenRequests,
    failNext(n, status = 500, only) {
      failures = { left: n, status, only };
    },
    revokeTokens() {
      tokens = new Set();
    },
    validTokens: () => new Set(tokens),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
