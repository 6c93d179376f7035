import { randomUUID } from 'node:crypto';
import type { ProgramScope, ProgramTx, Store } from '../port.js';
import { customerRepository } from './customer-repository.js';
import { idempotencyRepository } from './idempotency-repository.js';
import { ledgerRepository } from './ledger-repository.js';
import { orderRepository } from './order-repository.js';
import { PROGRAM_COLUMNS, type ProgramRow, programRepository, toProgram } from './program-repository.js';
import { refundRepository } from './refund-repository.js';
import type { SqlDriver, SqlQuery } from './sql-driver.js';
import { jsonParam, one } from './sql-values.js';
import { tierRepository } from './tier-repository.js';

/** Every repository bound to one program id and one connection or transaction. */
function programTx(q: SqlQuery, programId: string): ProgramTx {
  return {
    programId,
    program: programRepository(q, programId),
    tiers: tierRepository(q, programId),
    customers: customerRepository(q, programId),
    orders: orderRepository(q, programId),
    refunds: refundRepository(q, programId),
    idempotency: idempotencyRepository(q, programId),
    ledger: ledgerRepository(q, programId),
  };
}

/** The Store port on PostgreSQL (server through pg, or embedded PGlite); same SQL on both. */
export function createPostgresStore(driver: SqlDriver): Store {
  return {
    async createProgram(input, apiKeyHash) {
      // One statement: the program and its key exist together or not at all.
      const { rows } = await driver.query<ProgramRow>(
        `WITH p AS (
           INSERT INTO programs (id, name, mode, settings, clock_now, created_at, updated_at)
           VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6)
           RETURNING ${PROGRAM_COLUMNS}
         ), k AS (
           INSERT INTO api_keys (key_hash, program_id, created_at) SELECT $7, id, $6 FROM p
         )
         SELECT ${PROGRAM_COLUMNS} FROM p`,
        [
          randomUUID(),
          input.name,
          input.mode,
          jsonParam(input.settings),
          input.clockNow,
          input.now,
          apiKeyHash,
        ],
      );
      return toProgram(one(rows, 'program'));
    },
    async findProgramByApiKeyHash(hash) {
      const { rows } = await driver.query<ProgramRow>(
        `SELECT ${PROGRAM_COLUMNS.split(', ')
          .map((c) => `p.${c}`)
          .join(', ')}
         FROM api_keys k JOIN programs p ON p.id = k.program_id WHERE k.key_hash = $1`,
        [hash],
      );
      return rows[0] === undefined ? null : toProgram(rows[0]);
    },
    scoped(programId): ProgramScope {
      const base = programTx(driver, programId);
      return {
        programId,
        program: base.program,
        tiers: base.tiers,
        customers: base.customers,
        orders: base.orders,
        ledger: base.ledger,
        idempotency: base.idempotency,
        transaction: (fn) => driver.transaction((q) => fn(programTx(q, programId))),
      };
    },
    async ping() {
      await driver.query('SELECT 1');
    },
    close: () => driver.close(),
  };
}
