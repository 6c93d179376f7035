import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { booleanArray, numberArray, textArray } from '../../src/store/postgres/sql-arrays.js';
import { testDatabaseUrl } from '../support/db.js';

/** Values that stress the literal: quotes, backslashes, commas, braces, blanks, NULL look-alikes, unicode. */
const TEXTS = [
  'plain',
  'a"b',
  'back\\slash',
  'x,y',
  '{braces}',
  ' spaced ',
  '',
  'NULL',
  'null',
  'é€🎟',
  '\\"',
  'x","y',
];

async function roundTrip(
  query: (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
) {
  const { rows } = await query(
    `SELECT $1::text[] AS t, $2::text[] AS tn, $3::bigint[] AS n, $4::numeric[] AS m, $5::boolean[] AS b,
       $6::text[] AS e, $7::timestamptz[] AS ts`,
    [
      textArray(TEXTS),
      textArray(['a', null, 'b"', undefined]),
      numberArray([0, -1, 9_007_199_254_740_991, null]),
      textArray(['1.5', null]),
      booleanArray([true, false, true]),
      textArray([]),
      textArray(['2025-04-01T04:00:00.000Z', null]),
    ],
  );
  return rows[0] as Record<string, unknown[]>;
}

function expectExact(row: Record<string, unknown[]>) {
  expect(row.t).toEqual(TEXTS);
  expect(row.tn).toEqual(['a', null, 'b"', null]);
  expect((row.n ?? []).map((v) => (v === null ? null : String(v)))).toEqual([
    '0',
    '-1',
    '9007199254740991',
    null,
  ]);
  expect((row.m ?? []).map((v) => (v === null ? null : String(v)))).toEqual(['1.5', null]);
  expect(row.b).toEqual([true, false, true]);
  expect(row.e).toEqual([]);
  expect(new Date(String((row.ts ?? [])[0])).toISOString()).toBe('2025-04-01T04:00:00.000Z');
  expect((row.ts ?? [])[1]).toBeNull();
}

describe('PostgreSQL array literals (outcome writes)', () => {
  it('arrive in PostgreSQL exactly as sent', async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      expectExact(await roundTrip((sql, params) => client.query(sql, params)));
    } finally {
      await client.end();
    }
  });

  it('arrive in PGlite exactly as sent', async () => {
    const db = await PGlite.create();
    try {
      expectExact(await roundTrip((sql, params) => db.query(sql, params)));
    } finally {
      await db.close();
    }
  }, 60_000);

  it('refuse a number PostgreSQL could not read back', () => {
    expect(() => numberArray([Number.NaN])).toThrow('not a finite number');
    expect(() => numberArray([Number.POSITIVE_INFINITY])).toThrow('not a finite number');
  });
});
