/**
 * "Save to Google Wallet" links: an RS256 JWT signed with the service account's key
 * (`aud: google`, `typ: savetowallet`) whose payload only names objects already inserted
 * through the REST API, so the link stays short.
 */
import { createSign } from 'node:crypto';
import type { ServiceAccount } from './service-account.js';

/** Where a save JWT is opened. */
export const SAVE_URL_BASE = 'https://pay.google.com/gp/v/save/';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims of a save JWT. */
export interface SaveClaims {
  iss: string;
  aud: 'google';
  typ: 'savetowallet';
  iat: number;
  origins: string[];
  payload: { loyaltyObjects: { id: string }[] };
}

/** Sign a save JWT for existing loyalty objects; `now` sets `iat`. */
export function signSaveJwt(
  account: ServiceAccount,
  objectIds: readonly string[],
  origins: readonly string[],
  now: Date,
): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(account.privateKeyId ? { kid: account.privateKeyId } : {}) };
  const claims: SaveClaims = {
    iss: account.clientEmail,
    aud: 'google',
    typ: 'savetowallet',
    iat: Math.floor(now.getTime() / 1000),
    origins: [...origins],
    payload: { loyaltyObjects: objectIds.map((id) => ({ id })) },
  };
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(account.privateKey).toString('base64url');
  return `${input}.${signature}`;
}

/** `https://pay.google.com/gp/v/save/<jwt>`. */
export function saveUrl(jwt: string): string {
  return `${SAVE_URL_BASE}${jwt}`;
}
