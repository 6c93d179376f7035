/**
 * What the Shopify write-back writes for one customer (docs/decisions/0045), from the customer's
 * current state and what their pass shows: pure.
 */
import { tierBenefitTags } from '../../domain/customer-facts.js';
import type { CustomerMetafield, CustomerWrite } from '../../integrations/shopify/customer-writer.js';
import type { CustomerRecord, TierRecord } from '../../store/port.js';
import type { WalletView } from '../passes/wallet-view.js';

/** Written where a text metafield would be blank: Shopify refuses blank values. */
export const NONE = 'none';

/**
 * Tier tags: the customer's added, every other tier's benefit tag removed (never a tag no tier
 * applies: those are the merchant's). Metafields: the tier and next tier the pass names, the
 * spendable points, and the pass's progress line (or its keep line at the top).
 */
export function customerWrite(
  customer: CustomerRecord,
  tiers: readonly TierRecord[],
  view: WalletView,
): CustomerWrite {
  const add = [...customer.tierTags];
  const remove = [...tierBenefitTags(tiers)].filter((t) => !add.includes(t)).sort();
  const text = (key: string, value: string | null | undefined): CustomerMetafield => ({
    key,
    type: 'single_line_text_field',
    value: value && value.trim() !== '' ? value : NONE,
  });
  return {
    customerId: customer.id,
    add,
    remove,
    metafields: [
      text('tier', view.shown?.title),
      { key: 'points', type: 'number_integer', value: String(customer.balances.current) },
      text('next_tier', view.next?.tier.title),
      text('progress', view.next?.headline ?? view.keep),
    ],
  };
}
