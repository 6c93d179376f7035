import { tierSetTests } from './tier-set-tests.js';

tierSetTests('postgres');
