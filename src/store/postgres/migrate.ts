import { readdir, readFile } from 'node:fs/promises';
import type { SqlDriver, SqlQuery } from './sql-driver.js';

/** Where numbered migrations live, next to this module (source tree or build output). */
const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FILE_PATTERN = /^(\d+)_[\w-]+\.sql$/;
/**
 * Advisory lock key held while migrating: instances starting at once (parallel test
 * workers, a rolling deploy) take turns instead of racing on CREATE TABLE.
 */
const MIGRATION_LOCK_KEY = 7_265_837_271;

export interface Migration {
  /** Numeric prefix of the file name. */
  version: number;
  /** File name, e.g. 001_init.sql. */
  name: string;
  /** The file's SQL. */
  sql: string;
}

export interface MigrationLogger {
  /** Structured info log. */
  info(obj: object, msg?: string): void;
}

/** The migration files, lowest version first. */
export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((n) => FILE_PATTERN.test(n));
  const migrations = await Promise.all(
    names.map(async (name) => ({
      version: Number(FILE_PATTERN.exec(name)?.[1]),
      name,
      sql: await readFile(new URL(name, dir), 'utf8'),
    })),
  );
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]?.version === migrations[i - 1]?.version) {
      throw new Error(`two migrations share version ${migrations[i]?.version}`);
    }
  }
  return migrations;
}

async function lockAndReadApplied(q: SqlQuery): Promise<Set<number>> {
  await q.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
  await q.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await q.query<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(rows.map((r) => r.version));
}

/** Apply pending migrations, each in its own transaction; returns the versions applied now. */
export async function migrate(
  driver: SqlDriver,
  logger?: MigrationLogger,
  migrations?: Migration[],
): Promise<number[]> {
  const all = migrations ?? (await loadMigrations());
  const applied = await driver.transaction(lockAndReadApplied);
  const done: number[] = [];
  for (const m of all) {
    if (applied.has(m.version)) continue;
    const ran = await driver.transaction(async (q) => {
      // Re-check under the lock: another instance may have applied it meanwhile.
      if ((await lockAndReadApplied(q)).has(m.version)) return false;
      await q.exec(m.sql);
      await q.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (ran) {
      done.push(m.version);
      logger?.info({ version: m.version, name: m.name }, 'migration applied');
    }
  }
  return done;
}
