/** The composition root: config → stores → services → routes. Nothing else constructs these. */
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import { registerAnalyticsRoutes } from './features/analytics/analytics-routes.js';
import { AnalyticsService } from './features/analytics/analytics-service.js';
import { registerCustomerRoutes } from './features/customers/customer-routes.js';
import { CustomerService } from './features/customers/customer-service.js';
import { registerLedgerRoutes } from './features/ledger/ledger-routes.js';
import { OrderService } from './features/ledger/order-service.js';
import { PointsService } from './features/ledger/points-service.js';
import { registerProgramRoutes } from './features/programs/program-routes.js';
import { ProgramService } from './features/programs/program-service.js';
import { registerRecalculationRoutes } from './features/recalculation/recalculation-routes.js';
import { RecalculationService } from './features/recalculation/recalculation-service.js';
import { ReplayService } from './features/simulations/replay-service.js';
import { registerSimulationRoutes } from './features/simulations/simulation-routes.js';
import { SimulationService } from './features/simulations/simulation-service.js';
import { registerTierRoutes } from './features/tiers/tier-routes.js';
import { TierService } from './features/tiers/tier-service.js';
import { createHttpApp } from './http/app.js';
import { createAuthenticator, hashApiKey } from './http/auth.js';
import { createHttpMetrics } from './http/metrics.js';
import type { Store } from './store/port.js';

export const VERSION = '0.1.0';

export interface AppDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  adminToken: string;
  trustProxy?: boolean;
}

/** Build the whole service around an open store. */
export function buildApp(deps: AppDeps) {
  const { store, clock, logger } = deps;
  const programs = new ProgramService({ store, clock, hashApiKey });
  const tiers = new TierService();
  const customers = new CustomerService();
  const orders = new OrderService();
  const points = new PointsService();
  const simulations = new SimulationService();
  const replays = new ReplayService();
  const analytics = new AnalyticsService();
  const recalculation = new RecalculationService({ store, logger });

  const { app } = createHttpApp({
    logger,
    authenticator: createAuthenticator({ store, clock, adminToken: deps.adminToken }),
    metrics: createHttpMetrics(),
    readiness: { database: () => store.ping() },
    trustProxy: deps.trustProxy ?? false,
    version: VERSION,
    registerRoutes(api) {
      registerProgramRoutes(api, programs);
      registerTierRoutes(api, tiers);
      registerCustomerRoutes(api, customers);
      registerLedgerRoutes(api, orders, points);
      registerSimulationRoutes(api, simulations, replays);
      registerAnalyticsRoutes(api, analytics);
      registerRecalculationRoutes(api, recalculation);
    },
  });
  return { app, services: { programs, tiers, customers, orders, points, recalculation } };
}
