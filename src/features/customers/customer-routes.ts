/** HTTP routes of customers. */
import type { ApiRegistry } from '../../http/route.js';
import {
  customerIdParams,
  customerView,
  ledgerPage,
  ledgerQuery,
  tierHistoryPage,
  upsertCustomerBody,
} from './customer-schemas.js';
import { customerListPage, customerSearchQuery } from './customer-search-schemas.js';
import { type CustomerService, ledgerEntryView } from './customer-service.js';

export function registerCustomerRoutes(api: ApiRegistry, customers: CustomerService): void {
  api.add({
    method: 'get',
    path: '/v1/customers',
    summary: 'Search and list customers: id, email or name prefix (any case), tier filter, cursor pages',
    tag: 'Customers',
    auth: 'apiKey',
    query: customerSearchQuery,
    responses: { 200: { description: 'A page of customers', schema: customerListPage } },
    async handler({ ctx, query }) {
      return { status: 200, body: await customers.search(ctx, query) };
    },
  });
  api.add({
    method: 'put',
    path: '/v1/customers/:customerId',
    summary: "Create or update a customer (the id is the merchant's own)",
    tag: 'Customers',
    auth: 'apiKey',
    params: customerIdParams,
    body: upsertCustomerBody,
    responses: {
      200: { description: 'Updated', schema: customerView },
      201: { description: 'Created', schema: customerView },
    },
    async handler({ ctx, params, body }) {
      const { created, view } = await customers.upsert(ctx, params.customerId, body);
      return { status: created ? 201 : 200, body: view };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/customers/:customerId',
    summary: 'A customer with balances, tier, progress and (cycle mode) what keeps the tier',
    tag: 'Customers',
    auth: 'apiKey',
    params: customerIdParams,
    responses: { 200: { description: 'The customer', schema: customerView } },
    async handler({ ctx, params }) {
      return { status: 200, body: await customers.view(ctx, await customers.get(ctx, params.customerId)) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/customers/:customerId/tier-history',
    summary: 'Tier changes with reasons and the facts that decided them, newest first',
    tag: 'Customers',
    auth: 'apiKey',
    params: customerIdParams,
    query: ledgerQuery,
    responses: { 200: { description: 'A page of tier changes', schema: tierHistoryPage } },
    async handler({ ctx, params, query }) {
      return { status: 200, body: await customers.tierHistory(ctx, params.customerId, query) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/customers/:customerId/ledger',
    summary: 'Ledger entries, newest first, cursor-paginated',
    tag: 'Customers',
    auth: 'apiKey',
    params: customerIdParams,
    query: ledgerQuery,
    responses: { 200: { description: 'A page of entries', schema: ledgerPage } },
    async handler({ ctx, params, query }) {
      const page = await customers.ledger(ctx, params.customerId, query);
      return { status: 200, body: { data: page.items.map(ledgerEntryView), nextCursor: page.nextCursor } };
    },
  });
}
