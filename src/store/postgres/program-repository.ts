import { randomUUID } from 'node:crypto';
import type { ProgramMode, ProgramSettings } from '../../domain/types.js';
import type { NewProgram, ProgramRecord, ProgramTx } from '../port.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam, one } from './sql-values.js';

/** A `programs` row as selected with PROGRAM_COLUMNS. */
export interface ProgramRow {
  id: string;
  name: string;
  mode: ProgramMode;
  settings: ProgramSettings;
  clock_now: Date | null;
  created_at: Date;
  updated_at: Date;
}

const PROGRAM_COLUMNS = 'id, name, mode, settings, clock_now, created_at, updated_at';

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

/** Insert a program and its first API key in one statement: both exist or neither. */
export async function insertProgram(
  q: SqlQuery,
  input: NewProgram,
  apiKeyHash: string,
): Promise<ProgramRecord> {
  const { rows } = await q.query<ProgramRow>(
    `WITH p AS (
       INSERT INTO programs (id, name, mode, settings, clock_now, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6)
       RETURNING ${PROGRAM_COLUMNS}
     ), k AS (
       INSERT INTO api_keys (key_hash, program_id, created_at) SELECT $7, id, $6 FROM p
     )
     SELECT ${PROGRAM_COLUMNS} FROM p`,
    [randomUUID(), input.name, input.mode, jsonParam(input.settings), input.clockNow, input.now, apiKeyHash],
  );
  return toProgram(one(rows, 'program'));
}

/** The program an API key hash belongs to, or null. */
export async function findProgramByApiKeyHash(q: SqlQuery, hash: string): Promise<ProgramRecord | null> {
  const { rows } = await q.query<ProgramRow>(
    `SELECT p.id, p.name, p.mode, p.settings, p.clock_now, p.created_at, p.updated_at
     FROM api_keys k JOIN programs p ON p.id = k.program_id WHERE k.key_hash = $1`,
    [hash],
  );
  return rows[0] === undefined ? null : toProgram(rows[0]);
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
    async schedule() {
      const { rows } = await q.query<{ checked_at: Date; resync_due_at: Date | null; resync_seq: number }>(
        `SELECT coalesce(schedule_checked_at, clock_now, created_at) AS checked_at, resync_due_at, resync_seq
         FROM programs WHERE id = $1`,
        [programId],
      );
      const row = one(rows, 'program schedule');
      return { checkedAt: row.checked_at, resyncDueAt: row.resync_due_at, resyncSeq: row.resync_seq };
    },
    async setSchedule(patch) {
      await q.query(
        `UPDATE programs SET
           schedule_checked_at = CASE WHEN $2 THEN $3::timestamptz ELSE schedule_checked_at END,
           resync_due_at = CASE WHEN $4 THEN $5::timestamptz ELSE resync_due_at END,
           resync_seq = coalesce($6::bigint, resync_seq)
         WHERE id = $1`,
        [
          programId,
          patch.checkedAt !== undefined,
          patch.checkedAt ?? null,
          patch.resyncDueAt !== undefined,
          patch.resyncDueAt ?? null,
          patch.resyncSeq ?? null,
        ],
      );
    },
    async passDesign() {
      const { rows } = await q.query<{ design: Record<string, unknown> }>(
        'SELECT design FROM program_pass_designs WHERE program_id = $1',
        [programId],
      );
      return rows[0]?.design ?? {};
    },
    async setPassDesign(design, now) {
      const { rows } = await q.query<{ design: Record<string, unknown> }>(
        `INSERT INTO program_pass_designs (program_id, design, updated_at) VALUES ($1, $2::jsonb, $3)
         ON CONFLICT (program_id) DO UPDATE SET design = EXCLUDED.design, updated_at = EXCLUDED.updated_at
         RETURNING design`,
        [programId, jsonParam(design), now],
      );
      return one(rows, 'program pass design').design;
    },
    async clearResync(seq) {
      await q.query('UPDATE programs SET resync_due_at = NULL WHERE id = $1 AND resync_seq = $2', [
        programId,
        seq,
      ]);
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

/** Every program of one mode. */
export async function listPrograms(q: SqlQuery, mode: ProgramMode): Promise<ProgramRecord[]> {
  const { rows } = await q.query<ProgramRow>(
    `SELECT ${PROGRAM_COLUMNS} FROM programs WHERE mode = $1 ORDER BY id`,
    [mode],
  );
  return rows.map(toProgram);
}
