/**
 * The connections' credentials under the current key (docs/decisions/0052): at start, worker 0
 * re-seals every Shopify access token and webhook secret, every Klaviyo private key and the
 * identifier carried by every pending Klaviyo erasure that is sealed under an older key of SECRETS_KEYS under the current one (the webhook signing secrets
 * have their own walk, `WebhookSecrets.resealAll`, 0041). After one start with the new key
 * first, the older key can leave the keyring.
 */
import {
  SEALED_SECRET_PREFIX,
  SecretOpenError,
  type SecretSealer,
} from '../../integrations/secrets/secret-box.js';
import type { SealedCredentialKind, Store, StoredCredential } from '../../store/port.js';
import { ERASURE_CONTEXT } from '../klaviyo/klaviyo-erasure.js';
import { KEY_CONTEXT as KLAVIYO_KEY_CONTEXT } from '../klaviyo/klaviyo-service.js';
import { SHOPIFY_SECRET_CONTEXT, SHOPIFY_TOKEN_CONTEXT } from '../shopify/shopify-credentials.js';

/** Where each kind is sealed: what its sealing is bound to (each feature's own contexts). */
export const CREDENTIAL_CONTEXT: Record<
  SealedCredentialKind,
  (programId: string, customerId: string | null) => string
> = {
  shopifyAccessToken: SHOPIFY_TOKEN_CONTEXT,
  shopifyWebhookSecret: SHOPIFY_SECRET_CONTEXT,
  klaviyoApiKey: KLAVIYO_KEY_CONTEXT,
  klaviyoErasure: (programId, customerId) => ERASURE_CONTEXT(programId, customerId ?? ''),
};

/** A credential left as it is: it does not open (its key left the keyring, or tampered). */
export interface UnopenableCredential {
  /** Which credential. */
  kind: SealedCredentialKind;
  /** Its program. */
  programId: string;
  /** The erased customer (`klaviyoErasure`), else null. */
  customerId: string | null;
  /** Why it does not open (e.g. its key is not in the keyring); never the value. */
  reason: string;
}

/** What one walk did. */
export interface CredentialResealReport {
  /** Values rewritten under the current key, per kind. */
  resealed: Record<SealedCredentialKind, number>;
  /** Values left as they are: they do not open. */
  unopenable: UnopenableCredential[];
}

export class CredentialReseal {
  constructor(private readonly sealer: SecretSealer & { readonly currentKeyId: string }) {}

  /** Re-seal every connection credential under an older key (safe beside reconnects: compare-and-set). */
  async resealAll(store: Pick<Store, 'resealCredentials'>): Promise<CredentialResealReport> {
    const unopenable: UnopenableCredential[] = [];
    const resealed = await store.resealCredentials((c: StoredCredential) => {
      const context = CREDENTIAL_CONTEXT[c.kind](c.programId, c.customerId);
      try {
        return this.sealer.seal(this.sealer.open(c.sealed, context), context);
      } catch (err) {
        if (!(err instanceof SecretOpenError)) throw err;
        unopenable.push({
          kind: c.kind,
          programId: c.programId,
          customerId: c.customerId,
          reason: err.message,
        });
        return null;
      }
    }, `${SEALED_SECRET_PREFIX}${this.sealer.currentKeyId}.`);
    return { resealed, unopenable };
  }
}
