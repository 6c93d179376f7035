/** The customer pages in their own chunk (the QR encoder and the explanation rules come with them). */
import { lazyPage } from '../../components/lazy-page';

// The list is the signed-in landing page: its small chunk starts loading with the shell, in
// parallel with the session check, instead of after it (first rows sooner; decision 0030).
const listChunk = import('./customers-page');

export const CustomersPage = lazyPage(() => listChunk, 'CustomersPage');
const Detail = lazyPage(() => import('./customer-page'), 'CustomerPage');

export function CustomerPage({ customerId }: { customerId: string }) {
  // key: another customer starts with a fresh page state
  return <Detail key={customerId} customerId={customerId} />;
}
