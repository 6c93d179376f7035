/** Store.resealCredentials on the in-memory adapter (docs/decisions/0052). */
import type { SealedCredentialKind, StoredCredential } from '../port.js';
import type { MemoryState } from './memory-state.js';

/**
 * Every Shopify access token and webhook secret and every Klaviyo key not starting with
 * `currentPrefix`, re-sealed by `reseal`; a value is written only if unchanged since read.
 */
export function resealCredentials(
  state: MemoryState,
  reseal: (stored: StoredCredential) => string | null,
  currentPrefix: string,
): Record<SealedCredentialKind, number> {
  const rewritten: Record<SealedCredentialKind, number> = {
    shopifyAccessToken: 0,
    shopifyWebhookSecret: 0,
    klaviyoApiKey: 0,
    klaviyoErasure: 0,
  };
  const walk = (
    kind: SealedCredentialKind,
    programId: string,
    read: () => string | undefined,
    write: (next: string) => void,
  ) => {
    const sealed = read();
    if (sealed === undefined || sealed.startsWith(currentPrefix)) return;
    const next = reseal({ kind, programId, customerId: null, sealed });
    if (next === null || read() !== sealed) return;
    write(next);
    rewritten[kind] += 1;
  };
  for (const [programId, p] of [...state.programs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    walk(
      'shopifyAccessToken',
      programId,
      () => p.shopify.connection?.accessTokenSealed,
      (next) => {
        if (p.shopify.connection) p.shopify.connection = { ...p.shopify.connection, accessTokenSealed: next };
      },
    );
    walk(
      'shopifyWebhookSecret',
      programId,
      () => p.shopify.connection?.webhookSecretSealed,
      (next) => {
        if (p.shopify.connection)
          p.shopify.connection = { ...p.shopify.connection, webhookSecretSealed: next };
      },
    );
    walk(
      'klaviyoApiKey',
      programId,
      () => p.klaviyo?.apiKeySealed,
      (next) => {
        if (p.klaviyo) p.klaviyo = { ...p.klaviyo, apiKeySealed: next };
      },
    );
  }
  for (const [id, row] of [...state.outbox].sort(([a], [b]) => a - b)) {
    const sealed = row.erasureSealed;
    if (row.done || !sealed || sealed.startsWith(currentPrefix)) continue;
    const next = reseal({
      kind: 'klaviyoErasure',
      programId: row.programId,
      customerId: row.customerId,
      sealed,
    });
    const now = state.outbox.get(id);
    if (next === null || now?.erasureSealed !== sealed) continue;
    state.outbox.set(id, { ...now, erasureSealed: next });
    rewritten.klaviyoErasure += 1;
  }
  return rewritten;
}
