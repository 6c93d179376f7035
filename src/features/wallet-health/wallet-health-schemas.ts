/** Response shape of GET /v1/wallet/health (issue 12, item 7). */
import { z } from 'zod';

export const certificateView = z.object({
  name: z.enum(['signerCert', 'wwdr']).describe('signerCert: the Pass Type ID certificate; wwdr: Apple WWDR'),
  subject: z.string(),
  validTo: z.string(),
  daysLeft: z.number().int().describe('Days until expiry, rounded up (0 or less once expired)'),
  warning: z.string().nullable().describe('Set when it expires within 30 days or has expired'),
});

export const walletHealthView = z.object({
  asOf: z.string().describe('Program time the 24-hour window ends at'),
  apple: z.object({
    configured: z.boolean().describe('Apple Wallet passes are on (certificates loaded)'),
    pushConfigured: z.boolean().describe('APNs is configured: pass updates are pushed to devices'),
    passesIssued: z.number().int(),
    devicesRegistered: z.number().int().describe('Distinct devices holding a pass of the program'),
    registrations: z.number().int().describe('Device × pass registrations'),
    pushesLast24h: z.object({
      since: z.string(),
      sent: z.number().int().describe('Device pushes APNs accepted'),
      failed: z.number().int().describe('Device pushes APNs refused, called gone, or asked to retry'),
    }),
    certificates: z.array(certificateView),
    warning: z.string().nullable().describe('Every certificate warning in one line, or null'),
  }),
  google: z.object({
    configured: z.boolean().describe('Google Wallet is on (issuer and service account)'),
    objects: z.object({
      total: z.number().int(),
      synced: z.number().int().describe('Last state accepted by the Wallet API'),
      pending: z.number().int().describe('Created, not accepted yet'),
      failing: z.number().int().describe('Last update failed for good (see recentErrors)'),
    }),
    recentErrors: z.array(
      z.object({ customerId: z.string(), objectId: z.string(), error: z.string(), at: z.string() }),
    ),
  }),
});

export type WalletHealthView = z.output<typeof walletHealthView>;
