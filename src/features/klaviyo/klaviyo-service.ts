/**
 * The Klaviyo destination's connection (issue 15 item 1, docs/decisions/0044): the merchant's
 * private API key, checked against Klaviyo before anything is stored, sealed at rest, never
 * returned (a hint of its last four characters at most).
 */
import type { Clock } from '../../clock.js';
import { AppError, notFound, unprocessable } from '../../errors.js';
import {
  KLAVIYO_REVISION,
  type KlaviyoApi,
  KlaviyoApiError,
} from '../../integrations/klaviyo/klaviyo-client.js';
import type { SecretSealer } from '../../integrations/secrets/secret-box.js';
import type { ProgramContext } from '../../program-context.js';
import type { KlaviyoConnectionRecord } from '../../store/klaviyo-port.js';
import type { ConnectInput } from './klaviyo-schemas.js';
import type { KlaviyoStore } from './klaviyo-store.js';

/** Where a program's key is sealed: a value copied to another program does not open. */
export const KEY_CONTEXT = (programId: string) => `klaviyo:${programId}:api-key`;

export interface KlaviyoServiceDeps {
  store: KlaviyoStore;
  clock: Clock;
  /** Seals the key; without it connecting answers 503. */
  secrets?: SecretSealer;
  /** Klaviyo with one private key. */
  api(apiKey: string): KlaviyoApi;
  /** Wakes the Klaviyo queue (rows held while the key needed attention go at once). */
  kick?(): void;
  /** Called after a program's first connection (none before): the profile sync starts (0052). */
  firstConnected?(ctx: ProgramContext): Promise<unknown>;
}

function view(c: KlaviyoConnectionRecord) {
  return {
    accountId: c.accountId,
    keyHint: `…${c.keyHint}`,
    state: c.state,
    lastError: c.lastError,
    revision: KLAVIYO_REVISION,
    connectedAt: c.connectedAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export class KlaviyoService {
  constructor(private readonly deps: KlaviyoServiceDeps) {}

  /** Check the key against Klaviyo (GET /api/accounts/), then store it sealed; replaces a previous key. */
  async connect(ctx: ProgramContext, input: ConnectInput) {
    const sealer = this.deps.secrets;
    if (!sealer) {
      throw new AppError(503, 'secrets_not_configured', 'Credentials cannot be stored: no secret keyring');
    }
    let account: { id: string };
    try {
      account = await this.deps.api(input.apiKey).account();
    } catch (err) {
      if (!(err instanceof KlaviyoApiError)) throw err;
      if (err.keyRefused) {
        throw unprocessable(
          'klaviyo_key_rejected',
          `Klaviyo refused the key (${err.status}): use a private key with the accounts:read, events:write, profiles:read, profiles:write, lists:write and data-privacy:write scopes`,
        );
      }
      throw new AppError(502, 'klaviyo_unavailable', `The key could not be checked: ${err.message}`);
    }
    const scope = this.deps.store.scoped(ctx.program.id);
    const before = await scope.klaviyo.get();
    const saved = await scope.klaviyo.save(
      {
        apiKeySealed: sealer.seal(input.apiKey, KEY_CONTEXT(ctx.program.id)),
        keyHint: input.apiKey.slice(-4),
        accountId: account.id,
      },
      this.deps.clock.now(),
    );
    this.deps.kick?.();
    if (before === null) await this.deps.firstConnected?.(ctx);
    return view(saved);
  }

  async status(ctx: ProgramContext) {
    const c = await this.deps.store.scoped(ctx.program.id).klaviyo.get();
    if (!c) throw notFound('klaviyo_not_connected', 'No Klaviyo account is connected');
    return view(c);
  }

  /** Forget the key: nothing more is queued or sent (rows already queued are dropped unsent). */
  async disconnect(ctx: ProgramContext): Promise<void> {
    const removed = await this.deps.store.scoped(ctx.program.id).klaviyo.remove();
    if (!removed) throw notFound('klaviyo_not_connected', 'No Klaviyo account is connected');
  }
}
