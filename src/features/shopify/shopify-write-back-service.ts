/** The Shopify write-back's setting and record, as the API shows them (docs/decisions/0045). */
import { notFound } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { ScopedStore } from '../../store/scoped-store.js';
import type { ShopifyRepository } from '../../store/shopify-port.js';
import type {
  ShopifyWriteBackRepository,
  ShopifyWriteBackStatus,
} from '../../store/shopify-write-back-port.js';

export interface ShopifyWriteBackServiceScope {
  shopify: Pick<ShopifyRepository, 'get'>;
  shopifyWriteBack: ShopifyWriteBackRepository;
}

function view(s: ShopifyWriteBackStatus) {
  return {
    enabled: s.enabled,
    synced: s.synced,
    failed: s.failed,
    lastSyncedAt: s.lastSyncedAt?.toISOString() ?? null,
    lastError: s.lastError
      ? { code: s.lastError.code, message: s.lastError.message, at: s.lastError.at.toISOString() }
      : null,
  };
}

export class ShopifyWriteBackService {
  constructor(private readonly store: ScopedStore<ShopifyWriteBackServiceScope>) {}

  /** Whether write-back runs and what it did; 404 without a connected store. */
  async status(ctx: ProgramContext) {
    const scope = this.store.scoped(ctx.program.id);
    if (!(await scope.shopify.get()))
      throw notFound('shopify_not_connected', 'No Shopify store is connected');
    return view(await scope.shopifyWriteBack.get());
  }

  /** Turn write-back on or off (changes from now on are written, or not). */
  async configure(ctx: ProgramContext, input: { enabled: boolean }) {
    const scope = this.store.scoped(ctx.program.id);
    if (!(await scope.shopify.get()))
      throw notFound('shopify_not_connected', 'No Shopify store is connected');
    await scope.shopifyWriteBack.setEnabled(input.enabled);
    return view(await scope.shopifyWriteBack.get());
  }
}
