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

export const syncView = z.object({
  id: z.string(),
  state: z
    .enum(['running', 'done', 'failed'])
    .describe(
      'running (also while waiting for Retry-After or a working key), done, or failed (lastError says why)',
    ),
  total: z.number().int().describe('Customers when the sync started (grows if more were sent)'),
  sent: z.number().int().describe('Profiles Klaviyo accepted in import jobs so far'),
  skipped: z.number().int().describe('Erased customers, whose profile is not sent'),
  jobs: z.number().int().describe('Bulk Import Profiles jobs created'),
  progress: z.number().describe('0 to 1: (sent + skipped) / total'),
  lastError: z.string().nullable().describe('Why it failed, waits or last failed'),
  retryAt: z
    .string()
    .nullable()
    .describe('Waiting until then (Klaviyo’s Retry-After, a backoff, a key to replace)'),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
