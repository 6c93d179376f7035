/**
 * The wallet health panel (issue 12, item 7): passes issued, devices, APNs pushes of the last 24
 * hours of program time, Google objects and their last errors, and the Apple certificates'
 * expiry with a warning from 30 days (docs/decisions/0033-rehearsal-and-operations.md).
 */
import type { Clock } from '../../clock.js';
import { type CertificateSummary, expiryWarnings } from '../../integrations/apple/certificates.js';
import type { ProgramContext } from '../../program-context.js';
import type { WalletHealthView } from './wallet-health-schemas.js';
import type { WalletHealthStore } from './wallet-health-store.js';

const DAY_MS = 86_400_000;
/** Warn this many days before a certificate expires (as the start-up log does). */
export const CERTIFICATE_WARNING_DAYS = 30;
/** Recent Google failures shown. */
const RECENT_ERRORS = 20;

export interface WalletHealthDeps {
  /** Each program's counts. */
  store: WalletHealthStore;
  /** Real time: certificates expire in the real world, whatever a test clock says. */
  clock: Clock;
  /** Apple Wallet passes are on. */
  appleConfigured: boolean;
  /** The Apple certificates loaded at start (signer and WWDR); empty when not known. */
  certificates: readonly CertificateSummary[];
  /** APNs is configured. */
  pushConfigured: boolean;
  /** Google Wallet is configured. */
  googleConfigured: boolean;
}

export class WalletHealthService {
  constructor(private readonly deps: WalletHealthDeps) {}

  /** The panel for the caller's program at its program time. */
  async health(ctx: ProgramContext): Promise<WalletHealthView> {
    const since = new Date(ctx.now.getTime() - DAY_MS);
    const counts = await this.deps.store
      .scoped(ctx.program.id)
      .walletHealth.counts({ since, until: ctx.now }, RECENT_ERRORS);
    const now = this.deps.clock.now();
    const certificates = this.deps.certificates.map((c) => ({
      name: c.name as 'signerCert' | 'wwdr',
      subject: c.subject,
      validTo: c.validTo.toISOString(),
      // Rounded up, as the warning counts them: 9.5 days left is "expires in 10 days".
      daysLeft: Math.ceil((c.validTo.getTime() - now.getTime()) / DAY_MS),
      warning: expiryWarnings([c], now, CERTIFICATE_WARNING_DAYS)[0] ?? null,
    }));
    const warnings = certificates.flatMap((c) => (c.warning ? [c.warning] : []));
    return {
      asOf: ctx.now.toISOString(),
      apple: {
        configured: this.deps.appleConfigured,
        pushConfigured: this.deps.pushConfigured,
        passesIssued: counts.applePasses,
        devicesRegistered: counts.devices,
        registrations: counts.registrations,
        pushesLast24h: { since: since.toISOString(), ...counts.pushes },
        certificates,
        warning: warnings.length > 0 ? warnings.join('; ') : null,
      },
      google: {
        configured: this.deps.googleConfigured,
        objects: counts.googleObjects,
        recentErrors: counts.googleFailures.map((f) => ({ ...f, at: f.at.toISOString() })),
      },
    };
  }
}
