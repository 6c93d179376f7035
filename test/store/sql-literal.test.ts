import pg from 'pg';
import { sqlLiteral } from '../../src/store/postgres/sql-values.js';
import { testDatabaseUrl } from '../support/db.js';

const NASTY = [
  '',
  'plain-id_1',
  "o'brien",
  "''",
  'back\\slash',
  "\\'",
  "\\\\'; SELECT 1; --",
  "'; DROP TABLE customers; --",
  "E'x'",
  '$1 $$ $tag$',
  'ü€ 🎉',
  String.fromCharCode(...Array.from({ length: 94 }, (_, i) => 0x21 + i)), // every printable ASCII
];

describe('sqlLiteral (values inlined into a statement sent with BEGIN)', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
  });
  afterAll(() => client.end());

  it.each(['on', 'off'])(
    'reads back every value exactly with standard_conforming_strings %s',
    async (mode) => {
      await client.query(`SET standard_conforming_strings = ${mode}`);
      await client.query('SET escape_string_warning = off');
      for (const value of NASTY) {
        const { rows } = await client.query<{ v: string }>(`SELECT ${sqlLiteral(value)}::text AS v`);
        expect(rows).toEqual([{ v: value }]);
      }
      const { rows } = await client.query<{ v: string[] }>(
        `SELECT ARRAY[${NASTY.map(sqlLiteral).join(', ')}]::text[] AS v`,
      );
      expect(rows[0]?.v).toEqual(NASTY);
      await client.query('RESET standard_conforming_strings');
    },
  );

  it('refuses NUL, which PostgreSQL text cannot hold', () => {
    expect(() => sqlLiteral('a\0b')).toThrow(RangeError);
  });
});
