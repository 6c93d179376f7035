/**
 * A feature's port (docs/decisions/0036) is small enough to fake: the wallet health panel and the
 * webhook list run here on an object literal per program, with no database. What they ask of the
 * store, and for which program, is asserted; the SQL behind it is the store contract suite's.
 */

import { randomBytes } from 'node:crypto';
import { WalletHealthService } from '../../src/features/wallet-health/wallet-health-service.js';
import type { WalletHealthStore } from '../../src/features/wallet-health/wallet-health-store.js';
import { WebhookSecrets } from '../../src/features/webhooks/webhook-secrets.js';
import { WebhookService } from '../../src/features/webhooks/webhook-service.js';
import type { WebhooksScope, WebhooksStore } from '../../src/features/webhooks/webhooks-store.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import type { ProgramContext } from '../../src/program-context.js';
import type { ProgramRecord } from '../../src/store/port.js';
import type { WalletHealthCounts } from '../../src/store/wallet-health-port.js';
import type { WebhookSubscriptionRecord } from '../../src/store/webhook-port.js';

function call(id: string, now: Date): ProgramContext {
  const program: ProgramRecord = {
    id,
    name: id,
    mode: 'test',
    settings: {
      tiersEnabled: true,
      currency: 'USD',
      timezone: 'UTC',
      earning: { pointsPerUnit: 1 },
      retention: { mode: 'continuous' },
    },
    clockNow: now,
    createdAt: now,
    updatedAt: now,
  };
  return { program, now };
}

const counts = (applePasses: number): WalletHealthCounts => ({
  applePasses,
  devices: 0,
  registrations: 0,
  pushes: { sent: 0, failed: 0 },
  googleObjects: { total: 0, synced: 0, pending: 0, failing: 0 },
  googleFailures: [],
});

describe('feature-owned ports', () => {
  it("wallet health reads the caller's program only, over the 24 hours before its now", async () => {
    const asked: { programId: string; since: Date; until: Date; failures: number }[] = [];
    const store: WalletHealthStore = {
      scoped: (programId) => ({
        walletHealth: {
          async counts(window, failures) {
            asked.push({ programId, ...window, failures });
            return counts(programId === 'p_a' ? 7 : 99);
          },
        },
      }),
    };
    const service = new WalletHealthService({
      store,
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
      appleConfigured: true,
      certificates: [],
      pushConfigured: false,
      googleConfigured: false,
    });
    const now = new Date('2030-06-15T12:00:00Z');
    const view = await service.health(call('p_a', now));
    expect(view.apple.passesIssued).toBe(7);
    expect(asked).toEqual([
      { programId: 'p_a', since: new Date('2030-06-14T12:00:00Z'), until: now, failures: 20 },
    ]);
  });

  it("webhooks list and read the caller's program's subscriptions, never another's", async () => {
    const sub = (id: string) => ({ id }) as WebhookSubscriptionRecord;
    const byProgram = new Map([
      ['p_a', [sub('wh_a')]],
      ['p_b', [sub('wh_b')]],
    ]);
    const store: WebhooksStore = {
      scoped: (programId) =>
        ({
          webhooks: {
            list: async () => byProgram.get(programId) ?? [],
            get: async (id: string) => (byProgram.get(programId) ?? []).find((s) => s.id === id) ?? null,
          },
        }) as unknown as WebhooksScope,
    };
    const service = new WebhookService({
      store,
      policy: { allowLoopback: false, allowPrivate: false },
      secrets: new WebhookSecrets(new SecretBox([{ id: 'k1', key: randomBytes(32) }])),
    });
    const now = new Date();
    expect(await service.list(call('p_a', now))).toEqual([sub('wh_a')]);
    expect(await service.get(call('p_b', now), 'wh_b')).toEqual(sub('wh_b'));
    await expect(service.get(call('p_a', now), 'wh_b')).rejects.toMatchObject({ status: 404 });
  });
});
