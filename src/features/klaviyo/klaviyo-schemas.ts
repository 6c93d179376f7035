/** The Klaviyo connection API's shapes (docs/klaviyo.md). */
import { z } from 'zod';

export const connectBody = z.strictObject({
  apiKey: z
    .string()
    .trim()
    .regex(/^pk_[A-Za-z0-9_-]{10,200}$/, 'must be a Klaviyo private API key (pk_…)')
    .describe(
      'A private API key with accounts:read, events:write, profiles:read, profiles:write, lists:write (bulk import) and data-privacy:write (erasures) (checked against Klaviyo, stored sealed, never returned)',
    ),
});
export type ConnectInput = z.output<typeof connectBody>;

export const connectionView = z.object({
  accountId: z.string().describe('Klaviyo’s account id, as the key answered'),
  keyHint: z.string().describe('The key’s last four characters, e.g. "…a1b2"'),
  state: z
    .enum(['connected', 'needs_attention'])
    .describe('needs_attention: Klaviyo refused the key (401/403); nothing is sent until it is replaced'),
  lastError: z.string().nullable().describe('Why the connection needs attention'),
  revision: z.string().describe('The Klaviyo API revision Tierpass sends'),
  connectedAt: z.string(),
  updatedAt: z.string(),
});
