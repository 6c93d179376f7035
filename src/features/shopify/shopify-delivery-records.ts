/**
 * Delivery records written in groups (docs/decisions/0050): while a program's groups are being
 * stored (`receiveMany`, one statement and one commit each, at most `concurrency` at once), the
 * deliveries finishing meanwhile wait and go together in the next. Alone, a delivery is written
 * at once: nothing waits for a group to fill. Each caller gets its own receipt only once its group is committed, so no delivery is
 * acknowledged before its record is durable.
 */
import type { NewShopifyWebhook, ShopifyReceipt } from '../../store/shopify-port.js';
import type { ShopifyStore } from './shopify-store.js';

interface Waiting {
  webhook: NewShopifyWebhook;
  resolve(receipt: ShopifyReceipt): void;
  reject(err: unknown): void;
}

interface Queue {
  items: Waiting[];
  inFlight: number;
}

export class ShopifyDeliveryRecords {
  /** Program id → deliveries waiting for the next group, and the groups being stored. */
  private readonly waiting = new Map<string, Queue>();

  constructor(
    private readonly store: ShopifyStore,
    /** Most deliveries in one statement. */
    private readonly maxGroup = 500,
    /**
     * Groups of one program being stored at once: with two, a delivery finishing while a group is
     * in flight starts the next at once instead of waiting for it (as the order group commit's
     * two transactions in flight; measured in BENCHMARKS.md).
     */
    private readonly concurrency = 2,
  ) {}

  /** Record one delivery with the others of its program that are ready; resolves once committed. */
  record(programId: string, webhook: NewShopifyWebhook): Promise<ShopifyReceipt> {
    return new Promise((resolve, reject) => {
      let queue = this.waiting.get(programId);
      if (!queue) {
        queue = { items: [], inFlight: 0 };
        this.waiting.set(programId, queue);
      }
      queue.items.push({ webhook, resolve, reject });
      if (queue.inFlight < this.concurrency) void this.send(programId, queue);
    });
  }

  private async send(programId: string, queue: Queue): Promise<void> {
    queue.inFlight++;
    const repository = this.store.scoped(programId).shopify;
    while (queue.items.length > 0) {
      const group = queue.items.splice(0, this.maxGroup);
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
    queue.inFlight--;
    if (queue.inFlight === 0) this.waiting.delete(programId);
  }
}
