/** Programs (tenants): creation with a one-time API key, settings. */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { downgradeWarningDays } from '../../domain/downgrade-warning.js';
import type { ProgramSettings } from '../../domain/types.js';
import { conflict } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { ProgramRecord } from '../../store/port.js';
import { requestResync } from '../scheduling/scheduling-service.js';
import { assertValidConfig, type ResyncKicker } from '../tiers/tier-service.js';
import type { CreateProgramInput, UpdateProgramInput } from './program-schemas.js';
import type { ProgramsStore } from './programs-store.js';

/** Settings of a program created without them. */
export const DEFAULT_SETTINGS: ProgramSettings = {
  tiersEnabled: true,
  currency: 'USD',
  timezone: 'UTC',
  earning: { pointsPerUnit: 1 },
  retention: { mode: 'continuous' },
};

/** A new API key: 256 random bits; the prefix tells live from test keys at a glance. */
export function generateApiKey(mode: ProgramRecord['mode']): string {
  return `tp_${mode}_${randomBytes(32).toString('base64url')}`;
}

export class ProgramService {
  constructor(
    private readonly deps: {
      store: ProgramsStore;
      clock: Clock;
      hashApiKey(key: string): string;
      kicker?: ResyncKicker;
    },
  ) {}

  /** Create a program; the API key is returned once and only its hash is stored. */
  async create(input: CreateProgramInput): Promise<{ program: ProgramRecord; apiKey: string }> {
    const now = this.deps.clock.now();
    const settings: ProgramSettings = {
      tiersEnabled: input.tiersEnabled ?? DEFAULT_SETTINGS.tiersEnabled,
      currency: input.currency ?? DEFAULT_SETTINGS.currency,
      timezone: input.timezone ?? DEFAULT_SETTINGS.timezone,
      earning: input.earning ?? DEFAULT_SETTINGS.earning,
      retention: input.retention ?? DEFAULT_SETTINGS.retention,
      // Absent: the default lead time (downgradeWarningDays()), also for programs created before it existed.
      ...(input.downgradeWarningDays !== undefined
        ? { downgradeWarningDays: input.downgradeWarningDays }
        : {}),
    };
    const apiKey = generateApiKey(input.mode);
    const program = await this.deps.store.createProgram(
      {
        name: input.name,
        mode: input.mode,
        settings,
        clockNow: input.mode === 'test' ? (input.clockStart ?? now) : null,
        now,
      },
      this.deps.hashApiKey(apiKey),
    );
    return { program, apiKey };
  }

  /** Change settings; nested objects (`earning`, `retention`) are replaced whole. */
  async update(ctx: ProgramContext, patch: UpdateProgramInput): Promise<ProgramRecord> {
    const current = ctx.program;
    if (patch.mode !== undefined && patch.mode !== current.mode) {
      throw conflict(
        'mode_immutable',
        'A program stays live or test for its whole life; create a test program to rehearse',
      );
    }
    const settings: ProgramSettings = {
      tiersEnabled: patch.tiersEnabled ?? current.settings.tiersEnabled,
      currency: patch.currency ?? current.settings.currency,
      timezone: patch.timezone ?? current.settings.timezone,
      earning: patch.earning ?? current.settings.earning,
      retention: patch.retention ?? current.settings.retention,
      downgradeWarningDays:
        patch.downgradeWarningDays !== undefined
          ? patch.downgradeWarningDays
          : current.settings.downgradeWarningDays,
    };
    const reenabled = !current.settings.tiersEnabled && settings.tiersEnabled;
    const updated = await this.deps.store.scoped(ctx.program.id).transaction(async (tx) => {
      await tx.program.lock();
      // Settings and tiers are checked together: e.g. carry points need cycles to mean anything.
      assertValidConfig(settings, await tx.tiers.list());
      // Switching tiers back on resyncs every customer at once (SPEC 1); a retention change after the debounce.
      if (reenabled) await requestResync(tx.program, ctx.now, true);
      else if (patch.retention) await requestResync(tx.program, ctx.now, false);
      return tx.program.update({ name: patch.name, settings }, ctx.now);
    });
    if (reenabled) await this.deps.kicker?.kick(updated, ctx.now);
    return updated;
  }
}

/** The program as the API shows it. */
export function programView(p: ProgramRecord) {
  return {
    id: p.id,
    name: p.name,
    mode: p.mode,
    tiersEnabled: p.settings.tiersEnabled,
    currency: p.settings.currency,
    timezone: p.settings.timezone,
    earning: p.settings.earning,
    retention: p.settings.retention,
    downgradeWarningDays: downgradeWarningDays(p.settings),
    clock: p.mode === 'test' && p.clockNow ? { now: p.clockNow.toISOString() } : null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
