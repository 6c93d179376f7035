/** Google service account key files: reading, checking, describing (never the key itself). */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** What Tierpass uses of a service account key file. */
export interface ServiceAccount {
  /** `client_email`: the JWT issuer and the account the Wallet API authorises. */
  clientEmail: string;
  /** `private_key` (PKCS#8 PEM): signs token requests and save links. */
  privateKey: string;
  /** `private_key_id`, sent as the JWT `kid` when present. */
  privateKeyId: string | undefined;
}

/** Thrown with a message naming the file and what is wrong with it. */
export class ServiceAccountError extends Error {}

/** Parse a key file's JSON; throws ServiceAccountError when a field is missing or the key unreadable. */
export function parseServiceAccount(json: string, source: string): ServiceAccount {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ServiceAccountError(`${source} is not JSON (expected a service account key file)`);
  }
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const clientEmail = v.client_email;
  const privateKey = v.private_key;
  if (typeof clientEmail !== 'string' || !clientEmail.includes('@')) {
    throw new ServiceAccountError(`${source} has no client_email`);
  }
  if (typeof privateKey !== 'string' || !privateKey.includes('PRIVATE KEY')) {
    throw new ServiceAccountError(`${source} has no private_key (PEM)`);
  }
  try {
    const key = createPrivateKey(privateKey);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch (err) {
    throw new ServiceAccountError(
      `${source}: private_key is not a readable RSA key (${err instanceof Error ? err.message : err})`,
    );
  }
  const privateKeyId = typeof v.private_key_id === 'string' ? v.private_key_id : undefined;
  return { clientEmail, privateKey, privateKeyId };
}

/** Read and check a service account key file. */
export async function readServiceAccount(path: string): Promise<ServiceAccount> {
  let json: string;
  try {
    json = await readFile(path, 'utf8');
  } catch (err) {
    throw new ServiceAccountError(
      `cannot read the service account key file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  return parseServiceAccount(json, path);
}
