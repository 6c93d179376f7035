/** HTTP route of the wallet health panel. */
import type { ApiRegistry } from '../../http/route.js';
import { walletHealthView } from './wallet-health-schemas.js';
import type { WalletHealthService } from './wallet-health-service.js';

export function registerWalletHealthRoutes(api: ApiRegistry, health: WalletHealthService): void {
  api.add({
    method: 'get',
    path: '/v1/wallet/health',
    summary:
      'Wallet health: passes issued, devices, APNs pushes of the last 24 hours, Google objects and their last errors, certificate expiry',
    tag: 'Passes',
    auth: 'apiKey',
    responses: { 200: { description: 'The panel', schema: walletHealthView } },
    async handler({ ctx }) {
      return { status: 200, body: await health.health(ctx) };
    },
  });
}
