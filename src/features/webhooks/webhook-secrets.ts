/**
 * Webhook signing secrets at rest (issue 15 item 2, docs/decisions/0041): sealed with the
 * service's SecretSealer, bound to `webhook:<programId>:<subscriptionId>` (a sealed value copied
 * to another subscription does not open), opened only to sign a delivery. At start, worker 0
 * seals rows still in plain text (written before migration 031) and re-seals values under an
 * older key of SECRETS_KEYS under the current one, so the older key can then be removed.
 */
import {
  SEALED_SECRET_PREFIX,
  SecretOpenError,
  type SecretSealer,
} from '../../integrations/secrets/secret-box.js';
import type { Store } from '../../store/port.js';
import type { ClaimedDelivery, StoredWebhookSecrets } from '../../store/webhook-port.js';

/** Where a subscription's secrets are stored: what their sealing is bound to. */
export const webhookSecretContext = (programId: string, subscriptionId: string): string =>
  `webhook:${programId}:${subscriptionId}`;

/** A subscription whose stored secret does not open (its key left the keyring, or tampered). */
export interface UnopenableWebhookSecret {
  programId: string;
  subscriptionId: string;
  reason: string;
}

/** What one pass of `resealAll` did. */
export interface WebhookResealReport {
  /** Rows rewritten: plain secrets sealed, or values under an older key sealed under the current one. */
  resealed: number;
  /** Subscriptions left as they are because a secret does not open (deliveries to them fail). */
  unopenable: UnopenableWebhookSecret[];
}

/** A sealer that names its current key (SecretBox): values sealed under it start `sb1.<id>.`. */
export type WebhookSecretSealer = SecretSealer & { readonly currentKeyId: string };

export class WebhookSecrets {
  constructor(private readonly sealer: WebhookSecretSealer) {}

  /** Seal a new secret of subscription `subscriptionId` of `programId`. */
  seal(programId: string, subscriptionId: string, plain: string): string {
    return this.sealer.seal(plain, webhookSecretContext(programId, subscriptionId));
  }

  /**
   * The secrets a delivery attempted at `at` (program time) is signed with: the current one,
   * then the previous one while the rotation's overlap lasts (if it opens). Throws
   * SecretOpenError when the current one does not open.
   */
  signingSecrets(d: ClaimedDelivery, at: Date): string[] {
    const secrets = [this.open(d.programId, d.subscriptionId, d.secret)];
    if (d.previousSecret !== null && d.previousSecretUntil !== null && at < d.previousSecretUntil) {
      try {
        secrets.push(this.open(d.programId, d.subscriptionId, d.previousSecret));
      } catch (err) {
        // A rotation away from a secret that no longer opened: the new one signs alone.
        if (!(err instanceof SecretOpenError)) throw err;
      }
    }
    return secrets;
  }

  /** A stored value's plain secret: sealed ones are opened; plain ones (before migration 031) as they are. */
  private open(programId: string, subscriptionId: string, stored: string): string {
    if (!stored.startsWith(SEALED_SECRET_PREFIX)) return stored;
    return this.sealer.open(stored, webhookSecretContext(programId, subscriptionId));
  }

  /**
   * Seal every plain secret and re-seal every one under an older key (run at start by one
   * process; safe beside others and beside rotations: rows are rewritten only if unchanged).
   */
  async resealAll(store: Pick<Store, 'resealWebhookSecrets'>): Promise<WebhookResealReport> {
    const unopenable: UnopenableWebhookSecret[] = [];
    const current = `${SEALED_SECRET_PREFIX}${this.sealer.currentKeyId}.`;
    const resealed = await store.resealWebhookSecrets((row) => {
      try {
        return {
          secret: this.resealed(row, row.secret),
          previousSecret: row.previousSecret === null ? null : this.resealed(row, row.previousSecret),
        };
      } catch (err) {
        if (!(err instanceof SecretOpenError)) throw err;
        unopenable.push({
          programId: row.programId,
          subscriptionId: row.subscriptionId,
          reason: err.message,
        });
        return null;
      }
    }, current);
    return { resealed, unopenable };
  }

  /** `stored` sealed under the current key (unchanged when it already is). */
  private resealed(row: StoredWebhookSecrets, stored: string): string {
    if (!this.sealer.needsReseal(stored)) return stored;
    return this.seal(row.programId, row.subscriptionId, this.open(row.programId, row.subscriptionId, stored));
  }
}
