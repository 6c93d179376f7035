/**
 * The sweep of Shopify deliveries stranded between storage and effect (docs/decisions/0051):
 * webhooks stored but not applied (a stop between the two) and privacy requests still `recorded`
 * (their operation failed and Shopify's redeliveries ran out). The Agenda job
 * `tierpass:shopify-pending` calls `sweep`, which runs `ShopifyService.processPending` for every
 * program that has a Shopify connection, uninstalled ones included (`shop/redact` arrives after
 * the uninstall). Every effect is idempotent, so a row a live delivery applies meanwhile is a
 * harmless replay.
 */
import type { Logger } from 'pino';
import type { Store } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';
import type { ShopifyRepository } from '../../store/shopify-port.js';
import type { ShopifyService } from './shopify-service.js';

export interface ShopifyPendingDeps {
  store: ScopedStore<{ shopify: Pick<ShopifyRepository, 'get'> }> & Pick<Store, 'listPrograms'>;
  shopify: Pick<ShopifyService, 'processPending'>;
  logger: Pick<Logger, 'error' | 'info'>;
  /** Rows of each kind applied per program and sweep (default 100). */
  limit?: number;
}

export class ShopifyPendingSweep {
  constructor(private readonly deps: ShopifyPendingDeps) {}

  /** Apply what is stranded in every connected program; returns the rows applied. */
  async sweep(): Promise<number> {
    let applied = 0;
    for (const mode of ['live', 'test'] as const) {
      for (const program of await this.deps.store.listPrograms(mode)) {
        try {
          if (!(await this.deps.store.scoped(program.id).shopify.get())) continue;
          const n = await this.deps.shopify.processPending(program.id, this.deps.limit ?? 100);
          if (n > 0)
            this.deps.logger.info({ programId: program.id, rows: n }, 'stranded Shopify deliveries applied');
          applied += n;
        } catch (err) {
          // One program's failure (its rows stay for the next sweep) must not stop the others.
          this.deps.logger.error({ err, programId: program.id }, 'Shopify pending sweep failed');
        }
      }
    }
    return applied;
  }
}
