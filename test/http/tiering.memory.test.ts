/** The same tests on the in-memory store adapter (docs/decisions/0037): no database, no scheduler. */
import { tieringTests } from './tiering-tests.js';

tieringTests('memory');
