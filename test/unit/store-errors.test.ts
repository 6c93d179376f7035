/** Which database errors mean "the connection is gone" (503, rerun when safe) and which a statement caused. */
import { DatabaseUnavailableError, isConnectionError } from '../../src/store/store-errors.js';

function pgError(code: string, message = 'error'): Error {
  return Object.assign(new Error(message), { code });
}

it.each([
  ['08006', 'connection_failure'],
  ['08003', 'connection_does_not_exist'],
  ['57P01', 'admin_shutdown'],
  ['ECONNRESET', 'socket reset'],
])('%s (%s) is a lost connection', (code) => {
  expect(isConnectionError(pgError(code))).toBe(true);
});

it.each([
  ['08P01', 'protocol_violation: bind message supplies 3 parameters, but prepared statement requires 2'],
  ['42P18', 'could not determine data type of parameter $3'],
  ['23505', 'duplicate key value violates unique constraint'],
])('%s is a fault of the statement, not of the connection', (code, message) => {
  expect(isConnectionError(pgError(code, message))).toBe(false);
});

it("recognises pg's own messages and the store's own error", () => {
  expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
  expect(isConnectionError(new DatabaseUnavailableError(false))).toBe(true);
  expect(isConnectionError('not an error')).toBe(false);
});
