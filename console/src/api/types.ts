/**
 * Response shapes, inferred from the server's own zod schemas so console and API cannot
 * disagree (the schemas are plain zod over pure modules, safe to bundle).
 */
import type { z } from 'zod';
import type { tierChangeView } from '../../../src/features/customers/customer-schemas.js';
import type { programView } from '../../../src/features/programs/program-schemas.js';
import type { jobView, runListItem } from '../../../src/features/recalculation/recalculation-schemas.js';
import type { tierView } from '../../../src/features/tiers/tier-schemas.js';

/** GET /v1/program. */
export type Program = z.output<typeof programView>;
/** One tier of GET /v1/tiers. */
export type Tier = z.output<typeof tierView>;

/** POST/GET /v1/session. */
export interface SessionView {
  /** The signed-in program's settings. */
  program: Program;
  /** Sent back as X-CSRF-Token on every write. */
  csrfToken: string;
  /** When the session ends (absolute). */
  expiresAt: string;
}

/** One run of GET /v1/runs (the rehearsal timeline). */
export type RunItem = z.output<typeof runListItem>;
/** GET /v1/jobs/{jobId}. */
export type JobView = z.output<typeof jobView>;
/** GET /v1/wallet/health. */
export type { WalletHealthView } from '../../../src/features/wallet-health/wallet-health-schemas.js';

/** One entry of GET /v1/customers/{id}/tier-history: the change with its tiers' titles and explanation. */
export type TierChange = z.output<typeof tierChangeView>;

/** A cursor page of a list endpoint. */
export interface Paged<T> {
  /** The page's items. */
  data: T[];
  /** Cursor of the next page; null on the last page. */
  nextCursor: string | null;
}
