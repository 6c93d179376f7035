/** The opaque cursor of GET /v1/customers: what round-trips, and every shape it refuses. */
import {
  customerSearchQuery,
  decodeCustomerCursor,
  encodeCustomerCursor,
} from '../../src/features/customers/customer-search-schemas.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

it('round-trips both sorts, ids with any printable ASCII included', () => {
  for (const c of [
    { sort: 'id' as const, key: ['c-1'] },
    { sort: 'id' as const, key: ['a/b+c=d~"\\x'] },
    { sort: 'newest' as const, key: ['1796457367392123', 'cust-9'] },
    { sort: 'newest' as const, key: ['-62135596800000000', 'old'] },
  ]) {
    const text = encodeCustomerCursor(c);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCustomerCursor(text)).toEqual(c);
  }
});

it.each([
  ['empty', ''],
  ['not base64url', 'a+b/c='],
  ['not JSON', Buffer.from('nope').toString('base64url')],
  ['an object', b64({ sort: 'id' })],
  ['a number inside', b64(['id', 5])],
  ['no key', b64(['id'])],
  ['unknown sort', b64(['points', 'c-1'])],
  ['id sort with two keys', b64(['id', '1', 'c-1'])],
  ['newest without a time', b64(['newest', 'c-1'])],
  ['newest with a non-number time', b64(['newest', '12x', 'c-1'])],
  ['an id with a space', b64(['id', 'a b'])],
  ['an id over 128 characters', b64(['id', 'x'.repeat(129)])],
  ['too long', 'A'.repeat(1201)],
])('refuses %s', (_, text) => {
  expect(decodeCustomerCursor(text)).toBeNull();
});

it('the query schema refuses a cursor of the other sort and lower-cases the query', () => {
  const cursor = encodeCustomerCursor({ sort: 'newest', key: ['1', 'a'] });
  expect(customerSearchQuery.safeParse({ cursor }).success).toBe(false);
  expect(customerSearchQuery.parse({ cursor, sort: 'newest', query: '  Ann%_ ' })).toMatchObject({
    query: 'ann%_',
    sort: 'newest',
    limit: 50,
    cursor: { sort: 'newest', key: ['1', 'a'] },
  });
});
