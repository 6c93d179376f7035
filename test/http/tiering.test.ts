import { tieringTests } from './tiering-tests.js';

tieringTests('postgres');
