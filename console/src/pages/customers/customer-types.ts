/** Response shapes of the customer pages, inferred from the server's own zod schemas. */
import type { z } from 'zod';
import type { customerView, ledgerEntryView } from '../../../../src/features/customers/customer-schemas.js';
import type { customerListItem } from '../../../../src/features/customers/customer-search-schemas.js';
import type { orderDetailView } from '../../../../src/features/ledger/order-read-schemas.js';

/** One row of GET /v1/customers. */
export type CustomerRow = z.output<typeof customerListItem>;
/** GET /v1/customers/:id. */
export type Customer = z.output<typeof customerView>;
/** One ledger entry. */
export type LedgerEntry = z.output<typeof ledgerEntryView>;
/** One order with its refunds. */
export type Order = z.output<typeof orderDetailView>;
/** One tier change with titles and explanation; a cursor page (shared with the other pages). */
export type { Paged, TierChange } from '../../api/types';
