/** Operations: start a full sync and follow it, and the wallet health panel. */
import { FullSync } from './full-sync';
import { WalletHealthPanel } from './wallet-health-panel';

export function OperationsPage() {
  return (
    <section className="operations">
      <h1>Operations</h1>
      <FullSync />
      <WalletHealthPanel />
    </section>
  );
}
