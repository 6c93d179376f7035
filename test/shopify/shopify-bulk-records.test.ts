/**
 * Regrouping a bulk export's JSONL (integrations/shopify/admin-bulk.ts): a nested connection's
 * nodes come as lines of their own carrying `__parentId`, after their parent; each root object is
 * handed over with its children once the next root begins.
 */

import { AppError } from '../../src/errors.js';
import { bulkRecords } from '../../src/integrations/shopify/admin-bulk.js';

async function* lines(text: string): AsyncGenerator<string> {
  for (const line of text.split('\n')) yield line;
}

async function all(text: string) {
  const out: { id: unknown; children: unknown[] }[] = [];
  for await (const r of bulkRecords(lines(text))) {
    out.push({ id: r.node.id, children: r.children.map((c) => c.id) });
  }
  return out;
}

it('hands over each root line with the child lines that follow it', async () => {
  const text = [
    '{"id":"gid://shopify/Product/1","title":"A"}',
    '{"id":"gid://shopify/ProductVariant/11","__parentId":"gid://shopify/Product/1"}',
    '{"id":"gid://shopify/ProductVariant/12","__parentId":"gid://shopify/Product/1"}',
    '{"id":"gid://shopify/Product/2","title":"B"}',
    '{"id":"gid://shopify/Product/3","title":"C"}',
    '{"id":"gid://shopify/ProductVariant/31","__parentId":"gid://shopify/Product/3"}',
    '',
  ].join('\n');
  expect(await all(text)).toEqual([
    {
      id: 'gid://shopify/Product/1',
      children: ['gid://shopify/ProductVariant/11', 'gid://shopify/ProductVariant/12'],
    },
    { id: 'gid://shopify/Product/2', children: [] },
    { id: 'gid://shopify/Product/3', children: ['gid://shopify/ProductVariant/31'] },
  ]);
  expect(await all('')).toEqual([]);
});

it('refuses a child line before any parent with a stable code', async () => {
  const err = await all('{"id":"x","__parentId":"gid://shopify/Product/1"}').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('shopify_bulk_malformed');
});
