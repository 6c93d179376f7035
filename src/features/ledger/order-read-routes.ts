/** HTTP routes reading orders: one order, and one customer's orders. */
import type { ApiRegistry } from '../../http/route.js';
import { customerIdParams } from '../customers/customer-schemas.js';
import { orderIdParams } from './ledger-schemas.js';
import type { OrderQueries } from './order-queries.js';
import { customerOrdersPage, customerOrdersQuery, orderDetails } from './order-read-schemas.js';

export function registerOrderReadRoutes(api: ApiRegistry, queries: OrderQueries): void {
  api.add({
    method: 'get',
    path: '/v1/orders/:orderId',
    summary: 'An order with its refunds and the ledger entries it caused',
    tag: 'Events',
    auth: 'apiKey',
    params: orderIdParams,
    responses: { 200: { description: 'The order', schema: orderDetails } },
    async handler({ ctx, params }) {
      return { status: 200, body: await queries.details(ctx, params.orderId) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/customers/:customerId/orders',
    summary: "A customer's orders with their refunds, newest first, cursor-paginated",
    tag: 'Customers',
    auth: 'apiKey',
    params: customerIdParams,
    query: customerOrdersQuery,
    responses: { 200: { description: 'A page of orders', schema: customerOrdersPage } },
    async handler({ ctx, params, query }) {
      return { status: 200, body: await queries.ofCustomer(ctx, params.customerId, query) };
    },
  });
}
