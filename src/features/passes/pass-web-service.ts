/**
 * The PassKit web service (Apple's protocol for pass updates, API.md): device registrations,
 * "serials updated since", the latest pass. Devices authenticate with the pass's own token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { notFound, unauthorized } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { PassRecord } from '../../store/pass-port.js';
import { programNow } from '../programs/program-context.js';
import type { PassConditions } from './pass-conditions.js';
import { type PassResult, type PassService, programIdOfSerial } from './pass-service.js';
import type { PassesGlobalStore, PassesScope, PassesStore } from './passes-store.js';

export interface PassWebServiceDeps {
  /** Scopes each call by the program id its serial starts with; finds a device's programs. */
  store: PassesStore & Pick<PassesGlobalStore, 'programsOfPassDevice'>;
  /** Program time (test clocks) and registration times. */
  clock: Clock;
  /** Builds passes and records their update tags. */
  passes: PassService;
  /** The one pass type this deployment signs; other types are 404. */
  passTypeIdentifier: string;
}

/** Answer of "serials updated since": what changed, and the tag to send next time. */
export interface UpdatedSerials {
  /** Serials of the device's passes changed after the tag it sent. */
  serialNumbers: string[];
  /** The tag for the next `passesUpdatedSince`: `s` and the latest listed `changeSeq`. */
  lastUpdated: string;
}

/** Compared as digests so the time taken does not depend on where the strings differ or their length. */
function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function applePassToken(authorization: string | undefined): string | undefined {
  return authorization ? /^ApplePass\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
}

/**
 * `passesUpdatedSince` as sent back from `lastUpdated` (`s<changeSeq>`); anything else means
 * "everything", including the epoch-millisecond tags handed out before migration 023: a device
 * holding one is sent its serials once more rather than missing a change.
 */
function parseTag(tag: string | undefined): number | null {
  const digits = tag === undefined ? undefined : /^s(\d{1,15})$/.exec(tag)?.[1];
  return digits === undefined ? null : Number(digits);
}

/** The `lastUpdated` tag of a change number. */
function formatTag(changeSeq: number): string {
  return `s${changeSeq}`;
}

// Compared against when the serial is unknown, so both failures take the same time.
const NO_TOKEN = 'no-pass-has-this-token';

export class PassWebService {
  constructor(private readonly deps: PassWebServiceDeps) {}

  /** Register a device for a pass's updates; `created` is false when it already was. */
  async register(
    deviceId: string,
    passTypeId: string,
    serial: string,
    authorization: string | undefined,
    pushToken: string,
  ): Promise<{ created: boolean }> {
    const { scope } = await this.authorize(passTypeId, serial, authorization);
    return scope.passRegistrations.register(deviceId, serial, pushToken, this.deps.clock.now());
  }

  /** Stop sending a pass's updates to a device (also when it was not registered). */
  async unregister(
    deviceId: string,
    passTypeId: string,
    serial: string,
    authorization: string | undefined,
  ): Promise<void> {
    const { scope } = await this.authorize(passTypeId, serial, authorization);
    await scope.passRegistrations.unregister(deviceId, serial);
  }

  /**
   * Serials of the device's passes changed after `since` (the `lastUpdated` it was given), or
   * null when none did (HTTP 204). A pass's change only registers when its content is
   * observed to change (0009), so each registered pass's tag is brought up to date first:
   * one unsigned content hash per pass, and a device holds few passes. The tag is a change
   * counter (`changeSeq`), not `updated_at`: that one may run up to a second ahead of the
   * clock (Last-Modified rule), so a later change of another pass could compare below it.
   */
  async updatedSerials(deviceId: string, passTypeId: string, since?: string): Promise<UpdatedSerials | null> {
    this.checkPassType(passTypeId);
    const after = parseTag(since);
    const changed: PassRecord[] = [];
    for (const programId of await this.deps.store.programsOfPassDevice(deviceId)) {
      const scope = this.deps.store.scoped(programId);
      const ctx = await this.context(scope);
      const serials = await scope.passRegistrations.serialsOfDevice(deviceId);
      const passes = await Promise.all(serials.map((s) => scope.passes.getBySerial(s)));
      for (const pass of passes) {
        if (pass) await this.deps.passes.refreshTag(ctx, pass.customerId);
      }
      changed.push(...(await scope.passes.updatedSince(serials, after)));
    }
    if (changed.length === 0) return null;
    // The device's passes not listed have changeSeq <= after < every listed one, so the
    // greatest listed is the latest change of all its passes.
    const latest = Math.max(...changed.map((p) => p.changeSeq));
    return { serialNumbers: changed.map((p) => p.serial), lastUpdated: formatTag(latest) };
  }

  /** The pass as it is now, or "not modified" for the device's conditions. */
  async latestPass(
    passTypeId: string,
    serial: string,
    authorization: string | undefined,
    conditions: PassConditions,
  ): Promise<PassResult> {
    const { ctx, pass } = await this.authorize(passTypeId, serial, authorization);
    return this.deps.passes.fetchApplePass(ctx, pass.customerId, conditions);
  }

  private checkPassType(passTypeId: string): void {
    if (passTypeId !== this.deps.passTypeIdentifier) {
      throw notFound('pass_type_unknown', `No passes of type ${passTypeId}`);
    }
  }

  /** The pass and its program for an `ApplePass <token>` header; 401 for an unknown serial or wrong token. */
  private async authorize(
    passTypeId: string,
    serial: string,
    authorization: string | undefined,
  ): Promise<{ ctx: ProgramContext; scope: PassesScope; pass: PassRecord }> {
    this.checkPassType(passTypeId);
    const token = applePassToken(authorization);
    const programId = programIdOfSerial(serial);
    const scope = programId ? this.deps.store.scoped(programId) : null;
    const pass = scope ? await scope.passes.getBySerial(serial) : null;
    const matches = pass
      ? this.deps.passes.tokenMatches(pass, token ?? '')
      : sameSecret(token ?? '', NO_TOKEN);
    if (!scope || !pass || token === undefined || !matches) {
      throw unauthorized('Send the pass authentication token as "ApplePass <token>"');
    }
    return { ctx: await this.context(scope), scope, pass };
  }

  private async context(scope: PassesScope): Promise<ProgramContext> {
    const program = await scope.program.get();
    return { program, now: programNow(program, this.deps.clock) };
  }
}
