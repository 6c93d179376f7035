/**
 * Delivery records written in groups (docs/decisions/0050): while one program's group is being
 * stored (`receiveMany`, one statement and one commit), the deliveries finishing meanwhile wait
 * and go together in the next. Alone, a delivery is written at once: nothing waits for a group
 * to fill. Each caller gets its own receipt only once its group is committed, so no delivery is
 * acknowledged before its record is durable.
 */
import type { NewShopifyWebhook, ShopifyReceipt } from '../../store/shopify-port.js';
import type { ShopifyStore } from './shopify-store.js';

interface Waiting {
  webhook: NewShopifyWebhook;
  resolve(receipt: ShopifyReceipt): void;
  reject(err: unknown): void;
}

export class ShopifyDeliveryRecords {
  /** Program id → deliveries waiting for the next group (present while a group is being stored). */
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(
    private readonly store: ShopifyStore,
    /** Most deliveries in one statement. */
    private readonly maxGroup = 500,
  ) {}

  /** Record one delivery with the others of its program that are ready; resolves once committed. */
  record(programId: string, webhook: NewShopifyWebhook): Promise<ShopifyReceipt> {
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(programId);
      if (queue) {
        queue.push({ webhook, resolve, reject });
        return;
      }
      this.waiting.set(programId, [{ webhook, resolve, reject }]);
      void this.drain(programId);
    });
  }

  private async drain(programId: string): Promise<void> {
    const queue = this.waiting.get(programId) as Waiting[];
    const repository = this.store.scoped(programId).shopify;
    while (queue.length > 0) {
      const group = queue.splice(0, this.maxGroup);
      try {
        const receipts = await repository.receiveMany(group.map((w) => w.webhook));
        group.forEach((w, i) => {
          w.resolve(receipts[i] as ShopifyReceipt);
        });
      } catch (err) {
        // The group is rolled back as one: each delivery answers 5xx and Shopify redelivers it.
        for (const w of group) w.reject(err);
      }
    }
    this.waiting.delete(programId);
  }
}
