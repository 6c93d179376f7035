/** HTTP routes of the privacy operations (docs/decisions/0043). */
import type { ApiRegistry } from '../../http/route.js';
import { customerIdParams } from '../customers/customer-schemas.js';
import { customerExport, programDeletionView, programIdParams, redactionView } from './privacy-schemas.js';
import type { PrivacyService } from './privacy-service.js';

export function registerPrivacyRoutes(api: ApiRegistry, privacy: PrivacyService): void {
  api.add({
    method: 'get',
    path: '/v1/customers/:customerId/export',
    summary:
      'Everything stored about one customer (profile, balances, ledger, orders and refunds, tier history, passes, webhook events), for a data request',
    tag: 'Privacy',
    auth: 'apiKey',
    params: customerIdParams,
    responses: { 200: { description: 'The customer’s data', schema: customerExport } },
    async handler({ ctx, params }) {
      return { status: 200, body: await privacy.export(ctx, params.customerId) };
    },
  });
  // API.md names the erasure DELETE /v1/customers/{id}; POST …/redact is the same operation under
  // the name the Shopify connector and the console's wording use. The customer stays (id, points).
  for (const [method, path] of [
    ['delete', '/v1/customers/:customerId'],
    ['post', '/v1/customers/:customerId/redact'],
  ] as const) {
    api.add({
      method,
      path,
      summary:
        'Erase the customer’s personal data (email, name, tags and every copy); balances, ledger amounts and the id stay. Idempotent',
      tag: 'Privacy',
      auth: 'apiKey',
      params: customerIdParams,
      responses: { 200: { description: 'Erased (now or before)', schema: redactionView } },
      async handler({ ctx, params }) {
        return { status: 200, body: await privacy.redact(ctx, params.customerId) };
      },
    });
  }
  api.add({
    method: 'delete',
    path: '/v1/programs/:programId',
    summary: 'Delete a program and all its data: customers, ledger, passes, webhooks, API keys (admin)',
    tag: 'Admin',
    auth: 'admin',
    params: programIdParams,
    responses: { 200: { description: 'Deleted; rows per table', schema: programDeletionView } },
    async handler({ params }) {
      return { status: 200, body: await privacy.deleteProgram(params.programId) };
    },
  });
}
