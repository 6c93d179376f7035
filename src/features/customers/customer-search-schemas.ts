/**
 * GET /v1/customers: the search query (with its opaque keyset cursor) and the list rows
 * (docs/decisions/0030). Plain zod over browser-safe code: the console imports it.
 */
import { z } from 'zod';
import { externalIdSchema } from '../../http/common-schemas.js';
import { balancesView, tierRef } from './customer-schemas.js';

/** The orders a list can be read in. */
export const customerSorts = ['id', 'newest'] as const;
export type CustomerSort = (typeof customerSorts)[number];

/** `tier=none`: customers without a tier (tier ids are `tier_<hex>`, never `none`). */
export const NO_TIER = 'none';

/** A page position: the sort it belongs to and the last row's sort key. */
export interface CustomerCursor {
  sort: CustomerSort;
  key: string[];
}

function toBase64Url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The opaque cursor string of a page position (base64url of JSON; ids are printable ASCII). */
export function encodeCustomerCursor(c: CustomerCursor): string {
  return toBase64Url(JSON.stringify([c.sort, ...c.key]));
}

/** The page position of a cursor string, or null when it is not one this service issued. */
export function decodeCustomerCursor(text: string): CustomerCursor | null {
  if (!/^[A-Za-z0-9_-]{1,1200}$/.test(text)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(atob(text.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) return null;
  const [sort, ...key] = parsed as string[];
  const id = key[key.length - 1];
  if (id === undefined || !externalIdSchema.safeParse(id).success) return null;
  if (sort === 'id' && key.length === 1) return { sort, key };
  if (sort === 'newest' && key.length === 2 && /^-?\d{1,17}$/.test(key[0] as string)) return { sort, key };
  return null;
}

export const customerSearchQuery = z
  .strictObject({
    query: z
      .string()
      .max(200)
      .transform((s) => s.trim().toLowerCase())
      .optional()
      .describe('Prefix of the customer id, email or name, any case; LIKE wildcards match themselves'),
    tier: z
      .union([z.literal(NO_TIER), externalIdSchema])
      .optional()
      .describe(`Only customers in this tier; \`${NO_TIER}\` for customers without a tier`),
    sort: z
      .enum(customerSorts)
      .default('id')
      .describe('`id` (ascending, the default) or `newest` (creation time, newest first)'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .max(1200)
      .transform((s, ctx) => {
        const c = decodeCustomerCursor(s);
        if (!c) {
          ctx.addIssue({ code: 'custom', message: 'must be a cursor returned as nextCursor' });
          return z.NEVER;
        }
        return c;
      })
      .optional()
      .describe('`nextCursor` of the previous page, with the same query, tier and sort'),
  })
  .superRefine((q, ctx) => {
    if (q.cursor && q.cursor.sort !== q.sort) {
      ctx.addIssue({
        code: 'custom',
        path: ['cursor'],
        message: `belongs to sort=${q.cursor.sort}, not ${q.sort}`,
      });
    }
  });

export type CustomerSearchInput = z.output<typeof customerSearchQuery>;

export const customerListItem = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  tier: tierRef.nullable(),
  tierSince: z.string(),
  balances: balancesView,
  createdAt: z.string(),
});

export const customerListPage = z.object({
  data: z.array(customerListItem),
  nextCursor: z.string().nullable().describe('Opaque; pass it back as `cursor` for the next page'),
});
