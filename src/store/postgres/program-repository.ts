import type { ProgramMode, ProgramSettings } from '../../domain/types.js';
import type { ProgramRecord, ProgramTx } from '../port.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam } from './sql-values.js';

export interface ProgramRow {
  id: string;
  name: string;
  mode: ProgramMode;
  settings: ProgramSettings;
  clock_now: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const PROGRAM_COLUMNS = 'id, name, mode, settings, clock_now, created_at, updated_at';

export function toProgram(r: ProgramRow): ProgramRecord {
  return {
    id: r.id,
    name: r.name,
    mode: r.mode,
    settings: r.settings,
    clockNow: r.clock_now,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function found(rows: ProgramRow[], programId: string): ProgramRecord {
  const row = rows[0];
  // Scopes are only built for programs resolved from an API key, so a miss is a bug or a deleted program.
  if (row === undefined) throw new Error(`program ${programId} not found`);
  return toProgram(row);
}

/** The program's own row; `lock` is only meaningful inside a transaction. */
export function programRepository(q: SqlQuery, programId: string): ProgramTx['program'] {
  return {
    async get() {
      const { rows } = await q.query<ProgramRow>(`SELECT ${PROGRAM_COLUMNS} FROM programs WHERE id = $1`, [
        programId,
      ]);
      return found(rows, programId);
    },
    async lock() {
      const { rows } = await q.query<ProgramRow>(
        `SELECT ${PROGRAM_COLUMNS} FROM programs WHERE id = $1 FOR UPDATE`,
        [programId],
      );
      return found(rows, programId);
    },
    async update(patch, now) {
      const { rows } = await q.query<ProgramRow>(
        `UPDATE programs SET name = coalesce($2, name), settings = coalesce($3::jsonb, settings), updated_at = $4
         WHERE id = $1 RETURNING ${PROGRAM_COLUMNS}`,
        [programId, patch.name ?? null, patch.settings === undefined ? null : jsonParam(patch.settings), now],
      );
      return found(rows, programId);
    },
    async setClock(now) {
      const { rowCount } = await q.query('UPDATE programs SET clock_now = $2 WHERE id = $1', [
        programId,
        now,
      ]);
      if (rowCount === 0) throw new Error(`program ${programId} not found`);
    },
  };
}
