/** The same tests on the in-memory store adapter (docs/decisions/0037): no database, no scheduler. */
import { orderIngestionTests } from './order-ingestion-tests.js';

orderIngestionTests('memory');
