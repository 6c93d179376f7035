import { orderIngestionTests } from './order-ingestion-tests.js';

orderIngestionTests('postgres');
