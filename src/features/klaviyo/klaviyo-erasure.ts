/**
 * An erased customer's Klaviyo profile (docs/decisions/0052): the erasure queues, in its own
 * transaction, an outbox row carrying what identifies the profile — the email the customer had,
 * which the erasure removes everywhere else — sealed and bound to the customer, so the value is
 * never readable at rest; the row forgets it once done. The Klaviyo handler opens it and asks the
 * Data Privacy API to delete the profile (by email, or by the profile's id found by external id
 * when the customer had no email).
 */
import type { SecretSealer } from '../../integrations/secrets/secret-box.js';

/** Where an erasure's identifier is sealed: it opens only for this customer's row. */
export const ERASURE_CONTEXT = (programId: string, customerId: string) =>
  `klaviyo:${programId}:erasure:${customerId}`;

/** What the sealed value holds. */
export interface ErasureTarget {
  /** The email the customer had before the erasure; null: none (found by external id). */
  email: string | null;
}

export function sealErasure(
  sealer: SecretSealer,
  programId: string,
  customerId: string,
  email: string | null,
): string {
  const target: ErasureTarget = { email };
  return sealer.seal(JSON.stringify(target), ERASURE_CONTEXT(programId, customerId));
}

/** Throws SecretOpenError when the value does not open. */
export function openErasure(
  sealer: SecretSealer,
  programId: string,
  customerId: string,
  sealed: string,
): ErasureTarget {
  const target = JSON.parse(sealer.open(sealed, ERASURE_CONTEXT(programId, customerId))) as ErasureTarget;
  return { email: typeof target.email === 'string' && target.email !== '' ? target.email : null };
}

/** Request Profile Deletion (`POST /api/data-privacy-deletion-jobs`): exactly one identifier. */
export function deletionBody(profile: { email: string } | { id: string }): unknown {
  return {
    data: {
      type: 'data-privacy-deletion-job',
      attributes: {
        profile: {
          data:
            'email' in profile
              ? { type: 'profile', attributes: { email: profile.email } }
              : { type: 'profile', id: profile.id, attributes: {} },
        },
      },
    },
  };
}
