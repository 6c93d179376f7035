/** HTTP routes of simulations: a draft configuration against real customers, and a pure replay. */
import type { ApiRegistry } from '../../http/route.js';
import { replayBody, replayView } from './replay-schemas.js';
import type { ReplayService } from './replay-service.js';
import { simulationBody, simulationView } from './simulation-schemas.js';
import type { SimulationService } from './simulation-service.js';

export function registerSimulationRoutes(
  api: ApiRegistry,
  simulations: SimulationService,
  replays: ReplayService,
): void {
  api.add({
    method: 'post',
    path: '/v1/simulations',
    summary:
      "Evaluate draft tiers against the program's customers (no writes): today's distribution vs the draft's",
    tag: 'Simulations',
    auth: 'apiKey',
    expensive: 'simulation',
    body: simulationBody,
    responses: {
      200: { description: 'Current and simulated distributions', schema: simulationView },
      400: { description: 'invalid_configuration: the draft is refused, with details' },
    },
    async handler({ ctx, body }) {
      return { status: 200, body: await simulations.simulate(ctx, body) };
    },
  });
  api.add({
    method: 'post',
    path: '/v1/simulations/replay',
    summary: 'Replay customers and events through the tier rules (pure, no writes)',
    tag: 'Simulations',
    auth: 'apiKey',
    expensive: 'replay',
    body: replayBody,
    responses: {
      200: { description: "Each customer's tier timeline, ledger and final balances", schema: replayView },
      400: { description: 'invalid_replay (order, unknown records, span) or invalid_configuration' },
    },
    async handler({ ctx, body }) {
      return { status: 200, body: await replays.replay(ctx, body) };
    },
  });
}
