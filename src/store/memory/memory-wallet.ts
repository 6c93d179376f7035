/**
 * Wallet state on the in-memory adapter: Apple pass identities and device registrations, Google
 * Wallet classes, objects and notification counts, the wallet health counts, console sessions.
 * Each method is one synchronous step, so "concurrent callers get the one stored record" holds.
 */
import type { GoogleWalletRepository } from '../google-wallet-port.js';
import type { PassRecord, PassRepository } from '../pass-port.js';
import type { PassRegistrationRepository } from '../pass-registration-port.js';
import type { SessionRepository } from '../session-port.js';
import type { WalletHealthRepository } from '../wallet-health-port.js';
import { copy } from './memory-db.js';
import type { MemoryState, ProgramData } from './memory-state.js';

function bySerial(p: ProgramData | undefined, serial: string): PassRecord | undefined {
  if (!p) return undefined;
  for (const pass of p.passes.values()) if (pass.serial === serial) return pass;
  return undefined;
}

/** The next Last-Modified: at least one whole second after the previous one (PassKit's resolution). */
function nextUpdatedAt(previous: Date, now: Date): Date {
  const floor = Math.floor(previous.getTime() / 1000) * 1000 + 1000;
  return new Date(Math.max(floor, now.getTime()));
}

export function memoryPasses(state: MemoryState, programId: string): PassRepository {
  const passes = () => state.program(programId).passes;
  const retag = (customerId: string, tag: string, now: Date): PassRecord | null => {
    const was = passes().get(customerId);
    if (!was || was.updateTag === tag) return null;
    const record: PassRecord = {
      ...was,
      updateTag: tag,
      updatedAt: nextUpdatedAt(was.updatedAt, now),
      changeSeq: state.passChanges.next(),
    };
    passes().set(customerId, record);
    return record;
  };
  return {
    async get(customerId) {
      const pass = state.maybe(programId)?.passes.get(customerId);
      return pass ? copy(pass) : null;
    },
    async getBySerial(serial) {
      const pass = bySerial(state.maybe(programId), serial);
      return pass ? copy(pass) : null;
    },
    async ensure(customerId, candidate, now) {
      const existing = passes().get(customerId);
      if (existing) return copy(existing);
      if (!state.program(programId).customers.has(customerId))
        throw new Error(`customer ${customerId} not found`);
      for (const p of state.programs.values())
        if (bySerial(p, candidate.serial)) throw new Error(`serial ${candidate.serial} exists`);
      const record: PassRecord = {
        customerId,
        serial: candidate.serial,
        authTokenHash: candidate.authTokenHash,
        legacyAuthToken: null,
        updateTag: null,
        updatedAt: new Date(now),
        changeSeq: state.passChanges.next(),
        createdAt: new Date(now),
      };
      passes().set(customerId, record);
      return copy(record);
    },
    async setUpdateTag(customerId, tag, now) {
      const changed = retag(customerId, tag, now);
      if (changed) return copy(changed);
      const pass = passes().get(customerId);
      return pass ? copy(pass) : null;
    },
    async setUpdateTags(tags, now) {
      const changed: PassRecord[] = [];
      for (const t of tags) {
        const record = retag(t.customerId, t.tag, now);
        if (record) changed.push(copy(record));
      }
      return changed;
    },
    async updatedSince(serials, since) {
      const wanted = new Set(serials);
      return [...(state.maybe(programId)?.passes.values() ?? [])]
        .filter((p) => wanted.has(p.serial) && (since === null || p.changeSeq > since))
        .sort((a, b) => a.changeSeq - b.changeSeq)
        .map(copy);
    },
  };
}

export function sealLegacyPassTokens(
  state: MemoryState,
  seal: (token: string) => string,
  sealedPrefix: string,
): number {
  let sealed = 0;
  for (const p of state.programs.values()) {
    for (const [customerId, pass] of p.passes) {
      const token = pass.legacyAuthToken;
      if (token === null || token.startsWith(sealedPrefix)) continue;
      p.passes.set(customerId, { ...pass, legacyAuthToken: seal(token) });
      sealed += 1;
    }
  }
  return sealed;
}

const regKey = (deviceId: string, serial: string) => `${deviceId}\u0000${serial}`;

export function memoryPassRegistrations(state: MemoryState, programId: string): PassRegistrationRepository {
  const regs = () => state.maybe(programId)?.registrations;
  const removeWhere = (test: (token: string) => boolean): number => {
    const map = regs();
    if (!map) return 0;
    let n = 0;
    for (const [key, r] of map)
      if (test(r.pushToken)) {
        map.delete(key);
        n += 1;
      }
    return n;
  };
  return {
    async register(deviceId, serial, pushToken, now) {
      const p = state.program(programId);
      if (!bySerial(p, serial)) throw new Error(`pass ${serial} not found`);
      const key = regKey(deviceId, serial);
      const was = p.registrations.get(key);
      p.registrations.set(key, {
        deviceId,
        serial,
        pushToken,
        createdAt: was?.createdAt ?? new Date(now),
        updatedAt: new Date(now),
      });
      return { created: was === undefined };
    },
    async unregister(deviceId, serial) {
      return regs()?.delete(regKey(deviceId, serial)) ?? false;
    },
    async serialsOfDevice(deviceId) {
      return [...(regs()?.values() ?? [])]
        .filter((r) => r.deviceId === deviceId)
        .map((r) => r.serial)
        .sort();
    },
    async devicesOfSerial(serial) {
      return [...(regs()?.values() ?? [])]
        .filter((r) => r.serial === serial)
        .sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1))
        .map(copy);
    },
    async removePushToken(pushToken) {
      return removeWhere((t) => t === pushToken);
    },
    async removePushTokens(pushTokens) {
      const gone = new Set(pushTokens);
      return removeWhere((t) => gone.has(t));
    },
    async pushTargets(customerIds) {
      const p = state.maybe(programId);
      if (!p) return [];
      const targets = [];
      for (const id of new Set(customerIds)) {
        const pass = p.passes.get(id);
        if (!pass) continue;
        const tokens = new Set<string>();
        for (const r of p.registrations.values()) if (r.serial === pass.serial) tokens.add(r.pushToken);
        targets.push({ pass: copy(pass), pushTokens: [...tokens].sort() });
      }
      return targets;
    },
  };
}

export function programsOfPassDevice(state: MemoryState, deviceId: string): string[] {
  return [...state.programs.entries()]
    .filter(([, p]) => [...p.registrations.values()].some((r) => r.deviceId === deviceId))
    .map(([id]) => id)
    .sort();
}

export function memoryGoogleWallet(state: MemoryState, programId: string): GoogleWalletRepository {
  const objects = () => state.program(programId).googleObjects;
  const update = (customerId: string, patch: object) => {
    const was = objects().get(customerId);
    if (was) objects().set(customerId, { ...was, ...patch });
  };
  return {
    async classHash(classId) {
      return state.maybe(programId)?.googleClasses.get(classId) ?? null;
    },
    async setClassHash(classId, hash) {
      state.program(programId).googleClasses.set(classId, hash);
    },
    async object(customerId) {
      const o = state.maybe(programId)?.googleObjects.get(customerId);
      return o ? copy(o) : null;
    },
    async ensureObject(customerId, objectId, now) {
      const existing = objects().get(customerId);
      if (existing) return copy(existing);
      if (!state.program(programId).customers.has(customerId))
        throw new Error(`customer ${customerId} not found`);
      const record = {
        customerId,
        objectId,
        classId: null,
        tierId: null,
        contentHash: null,
        syncedAt: null,
        lastError: null,
        lastErrorAt: null,
        createdAt: new Date(now),
      };
      objects().set(customerId, record);
      return copy(record);
    },
    async recordSync(customerId, sync, now) {
      update(customerId, {
        classId: sync.classId,
        tierId: sync.tierId,
        contentHash: sync.contentHash,
        syncedAt: new Date(now),
        lastError: null,
        lastErrorAt: null,
      });
    },
    async recordError(customerId, error, now) {
      update(customerId, { lastError: error.slice(0, 2000), lastErrorAt: new Date(now) });
    },
    async takeNotification(customerId, key, now, limit) {
      const notices = state.program(programId).notices;
      const sent = notices.get(customerId) ?? [];
      const since = now.getTime() - 24 * 3600_000;
      const recent = sent.filter((n) => n.at > since);
      if (!sent.some((n) => n.key === key) && recent.length < limit) {
        // Slots older than 24 hours are dropped when a new one is taken.
        notices.set(customerId, [...recent, { key, at: now.getTime() }]);
        return 'taken';
      }
      return sent.some((n) => n.key === key) ? 'spent' : 'full';
    },
  };
}

export function memoryWalletHealth(state: MemoryState, programId: string): WalletHealthRepository {
  return {
    async counts(window, failures) {
      const p = state.maybe(programId);
      const regs = [...(p?.registrations.values() ?? [])];
      const objects = [...(p?.googleObjects.values() ?? [])];
      const pushes = { sent: 0, failed: 0 };
      for (const [hour, c] of p?.pushCounts ?? []) {
        if (hour > window.since.getTime() && hour <= window.until.getTime()) {
          pushes.sent += c.sent;
          pushes.failed += c.failed;
        }
      }
      return {
        applePasses: p?.passes.size ?? 0,
        devices: new Set(regs.map((r) => r.deviceId)).size,
        registrations: regs.length,
        pushes,
        googleObjects: {
          total: objects.length,
          synced: objects.filter((o) => o.lastError === null && o.contentHash !== null).length,
          pending: objects.filter((o) => o.lastError === null && o.contentHash === null).length,
          failing: objects.filter((o) => o.lastError !== null).length,
        },
        googleFailures: objects
          .filter((o) => o.lastError !== null && o.lastErrorAt !== null)
          .sort(
            (a, b) =>
              (b.lastErrorAt?.getTime() ?? 0) - (a.lastErrorAt?.getTime() ?? 0) ||
              (a.customerId < b.customerId ? -1 : 1),
          )
          .slice(0, failures)
          .map((o) => ({
            customerId: o.customerId,
            objectId: o.objectId,
            error: o.lastError ?? '',
            at: new Date(o.lastErrorAt ?? 0),
          })),
      };
    },
  };
}

export function memorySessions(state: MemoryState): SessionRepository {
  return {
    async create(s) {
      if (state.sessions.has(s.idHash)) throw new Error('session id hash exists');
      state.program(s.programId);
      // Ended and revoked sessions are kept only until the program's next sign-in.
      for (const [hash, row] of state.sessions)
        if (row.programId === s.programId && (row.expiresAt <= s.createdAt || row.revokedAt !== null))
          state.sessions.delete(hash);
      state.sessions.set(s.idHash, {
        programId: s.programId,
        createdAt: new Date(s.createdAt),
        expiresAt: new Date(s.expiresAt),
        revokedAt: null,
      });
    },
    async find(idHash, now) {
      const s = state.sessions.get(idHash);
      if (!s || s.revokedAt !== null || s.expiresAt.getTime() <= now.getTime()) return null;
      const p = state.maybe(s.programId);
      return p ? { program: copy(p.program), expiresAt: new Date(s.expiresAt) } : null;
    },
    async revoke(idHash, now) {
      const s = state.sessions.get(idHash);
      if (!s || s.revokedAt !== null || s.expiresAt.getTime() <= now.getTime()) return false;
      state.sessions.set(idHash, { ...s, revokedAt: new Date(now) });
      return true;
    },
  };
}
