/** Programs, their settings and scheduler bookkeeping, and tiers, on the in-memory adapter. */
import { randomUUID } from 'node:crypto';
import type { ProgramMode } from '../../domain/types.js';
import type { NewProgram, ProgramRecord, ProgramRepository, TierRecord, TierRepository } from '../port.js';
import { copy, type MemoryTx, put, writeLock } from './memory-db.js';
import { emptyProgram, type MemoryState, type TierRow } from './memory-state.js';

export function createProgram(state: MemoryState, input: NewProgram, apiKeyHash: string): ProgramRecord {
  if (state.apiKeys.has(apiKeyHash)) throw new Error('API key hash already exists');
  const record: ProgramRecord = {
    id: randomUUID(),
    name: input.name,
    mode: input.mode,
    settings: copy(input.settings),
    clockNow: input.clockNow ? new Date(input.clockNow) : null,
    createdAt: new Date(input.now),
    updatedAt: new Date(input.now),
  };
  state.programs.set(record.id, emptyProgram(record));
  state.apiKeys.set(apiKeyHash, record.id);
  return copy(record);
}

export function listPrograms(state: MemoryState, mode: ProgramMode): ProgramRecord[] {
  return [...state.programs.values()]
    .map((p) => p.program)
    .filter((p) => p.mode === mode)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map(copy);
}

export function findProgramByApiKeyHash(state: MemoryState, hash: string): ProgramRecord | null {
  const id = state.apiKeys.get(hash);
  const p = id === undefined ? undefined : state.maybe(id);
  return p ? copy(p.program) : null;
}

export function memoryProgram(
  state: MemoryState,
  programId: string,
  tx: MemoryTx | null,
): ProgramRepository & { lock(): Promise<ProgramRecord> } {
  const data = () => state.program(programId);
  /** Replace the program's tables' scalar fields, undone with the unit. */
  const change = async (patch: (p: ReturnType<typeof data>) => void) => {
    await writeLock(tx, 'program', programId);
    const p = data();
    const before = { program: p.program, schedule: p.schedule, passDesign: p.passDesign };
    patch(p);
    const after = { program: p.program, schedule: p.schedule, passDesign: p.passDesign };
    tx?.onRollback(() => {
      if (p.program === after.program) p.program = before.program;
      if (p.schedule === after.schedule) p.schedule = before.schedule;
      if (p.passDesign === after.passDesign) p.passDesign = before.passDesign;
    });
  };
  return {
    async get() {
      return copy(data().program);
    },
    async lock() {
      if (!tx) throw new Error('program.lock needs a transaction');
      await writeLock(tx, 'program', programId);
      return copy(data().program);
    },
    async update(patch, now) {
      await change((p) => {
        p.program = {
          ...p.program,
          name: patch.name ?? p.program.name,
          settings: patch.settings ? copy(patch.settings) : p.program.settings,
          updatedAt: new Date(now),
        };
      });
      return copy(data().program);
    },
    async setClock(now) {
      await change((p) => {
        p.program = { ...p.program, clockNow: new Date(now) };
      });
    },
    async schedule() {
      return copy(data().schedule);
    },
    async setSchedule(patch) {
      await change((p) => {
        p.schedule = {
          checkedAt: patch.checkedAt ? new Date(patch.checkedAt) : p.schedule.checkedAt,
          resyncDueAt:
            patch.resyncDueAt !== undefined
              ? patch.resyncDueAt && new Date(patch.resyncDueAt)
              : p.schedule.resyncDueAt,
          resyncSeq: patch.resyncSeq ?? p.schedule.resyncSeq,
        };
      });
    },
    async clearResync(seq) {
      await change((p) => {
        if (p.schedule.resyncSeq === seq) p.schedule = { ...p.schedule, resyncDueAt: null };
      });
    },
    async passDesign() {
      return copy(data().passDesign);
    },
    async setPassDesign(design, _now) {
      await change((p) => {
        p.passDesign = copy(design);
      });
      return copy(data().passDesign);
    },
  };
}

function live(rows: Iterable<TierRow>): TierRecord[] {
  return [...rows]
    .filter((t) => !t.deleted)
    .map((t) => t.record)
    .sort((a, b) => a.rank - b.rank);
}

export function memoryTiers(state: MemoryState, programId: string, tx: MemoryTx | null): TierRepository {
  const tiers = () => state.program(programId).tiers;
  const liveTier = (id: string) => {
    const t = state.maybe(programId)?.tiers.get(id);
    return t && !t.deleted ? t : undefined;
  };
  const set = (record: TierRecord, deleted = false) => put(tx, tiers(), record.id, { record, deleted });
  return {
    async list() {
      const p = state.maybe(programId);
      return p ? live(p.tiers.values()).map(copy) : [];
    },
    async get(id) {
      const t = liveTier(id);
      return t ? copy(t.record) : null;
    },
    async create(id, input, now) {
      await writeLock(tx, 'tiers', programId);
      if (tiers().has(id)) throw new Error(`tier ${id} exists`);
      const record: TierRecord = {
        id,
        rank: live(tiers().values()).length,
        ...copy(input),
        createdAt: new Date(now),
        updatedAt: new Date(now),
      };
      set(record);
      return copy(record);
    },
    async update(id, input, now) {
      await writeLock(tx, 'tiers', programId);
      const t = liveTier(id);
      if (!t) return null;
      const record: TierRecord = { ...t.record, ...copy(input), updatedAt: new Date(now) };
      set(record);
      return copy(record);
    },
    async remove(id, now) {
      await writeLock(tx, 'tiers', programId);
      const t = liveTier(id);
      if (!t) return false;
      set({ ...t.record, updatedAt: new Date(now) }, true);
      for (const other of live(tiers().values()))
        if (other.rank > t.record.rank) set({ ...other, rank: other.rank - 1, updatedAt: new Date(now) });
      return true;
    },
    async reorder(ids, now) {
      await writeLock(tx, 'tiers', programId);
      const current = live(tiers().values());
      const wanted = new Set(ids);
      if (
        ids.length !== current.length ||
        wanted.size !== ids.length ||
        current.some((t) => !wanted.has(t.id))
      )
        throw new Error('reorder needs every live tier id exactly once');
      const byId = new Map(current.map((t) => [t.id, t]));
      ids.forEach((id, rank) => {
        const t = byId.get(id);
        if (t) set({ ...t, rank, updatedAt: new Date(now) });
      });
    },
    async titles() {
      const p = state.maybe(programId);
      if (!p) return [];
      return [...p.tiers.values()]
        .map((t) => ({ id: t.record.id, title: t.record.title, deleted: t.deleted }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    },
  };
}
