/**
 * A Store decorator that reports, once done, every change made through it to what a program's
 * incoming Shopify deliveries depend on: the program record (`program.update` / `setClock`, in
 * or out of a transaction: reported after the commit or rollback), the Shopify connection
 * (`shopify.save` / `update` / `remove`) and the program's deletion. Caches keyed by something
 * other than an API key (features/shopify/shopify-shop-cache.ts) forget with it; app.ts wraps
 * the one store every service of this process writes through.
 */
import type { ProgramRepository, ProgramScope, ProgramTx, Store } from './port.js';
import type { ShopifyRepository } from './shopify-port.js';

export function watchProgramChanges(store: Store, changed: (programId: string) => void): Store {
  function scoped(programId: string): ProgramScope {
    const base = store.scoped(programId);
    const report = () => changed(programId);
    const program = <P extends ProgramRepository>(p: P, done: () => void): P => ({
      ...p,
      update: (patch, at) => p.update(patch, at).finally(done),
      setClock: (at) => p.setClock(at).finally(done),
    });
    const shopify: ShopifyRepository = {
      ...base.shopify,
      save: (c, now) => base.shopify.save(c, now).finally(report),
      update: (patch, now) => base.shopify.update(patch, now).finally(report),
      remove: () => base.shopify.remove().finally(report),
    };
    return {
      ...base,
      program: program(base.program, report),
      shopify,
      transaction<T>(fn: (tx: ProgramTx) => Promise<T>): Promise<T> {
        let wrote = false;
        const mark = () => {
          wrote = true;
        };
        // Reported after the commit (or rollback): a lookup in between still read the old row.
        return base
          .transaction((tx) => fn({ ...tx, program: program(tx.program, mark) }))
          .finally(() => {
            if (wrote) report();
          });
      },
    };
  }
  return {
    ...store,
    scoped,
    deleteProgram: (programId) => store.deleteProgram(programId).finally(() => changed(programId)),
  };
}
