/** The layer rules of docs/architecture.md, as scripts/check-imports.js (run by `npm run lint`) applies them. */
import { importsOf, ruleBroken, violations } from '../../scripts/check-imports.js';

describe('import rules', () => {
  it('hold for the whole tree', () => {
    expect(violations()).toEqual([]);
  });

  it('refuse each inversion issue 13 mended', () => {
    const broken: [string, string][] = [
      ['src/http/auth.ts', 'src/features/programs/program-context.js'],
      ['src/integrations/images/image-integrity.ts', 'src/http/errors.js'],
      ['src/features/tiers/tier-service.ts', 'src/http/route.js'],
      ['scripts/bench-pushes.ts', 'test/passes/apns-stand-in.js'],
      ['src/store/webhook-port.ts', 'src/features/webhooks/webhook-events.js'],
    ];
    for (const [from, to] of broken)
      expect({ from, to, why: ruleBroken(from, to) }).toEqual({ from, to, why: expect.any(String) });
  });

  it('refuse the layers the diagram keeps apart', () => {
    expect(ruleBroken('src/domain/assignment.ts', 'src/store/port.js')).toBe('domain must not import port');
    expect(
      ruleBroken('src/features/ledger/order-service.ts', 'src/store/postgres/ledger-repository.js'),
    ).toBe('features must not import adapter');
    expect(
      ruleBroken('src/store/postgres/ledger-repository.ts', 'src/features/tiers/tier-evaluation.js'),
    ).toBe('adapter must not import features');
    expect(ruleBroken('src/http/app.ts', 'src/integrations/images/image-work-pool.js')).toBe(
      'http must not import integrations',
    );
    expect(ruleBroken('src/features/tiers/tier-service.ts', 'test/support/db.js')).toBe(
      'features must not import test',
    );
    expect(ruleBroken('console/src/app.tsx', 'src/store/port.js')).toBe('console must not import port');
    expect(ruleBroken('src/features/ledger/order-service.ts', 'src/store/memory/memory-store.js')).toBe(
      'features must not import adapter',
    );
    expect(ruleBroken('src/store/memory/memory-runs.ts', 'src/features/recalculation/run-plan.js')).toBe(
      'adapter must not import features',
    );
  });

  it('allow what the diagram allows', () => {
    const allowed: [string, string][] = [
      ['src/features/tiers/tier-routes.ts', 'src/http/route.js'],
      ['src/features/programs/cycle-preview.ts', 'src/http/common-schemas.js'],
      ['src/features/tiers/tier-service.ts', 'src/errors.js'],
      ['src/store/webhook-port.ts', 'src/domain/webhook-event-types.js'],
      ['src/app.ts', 'src/store/postgres/postgres-store.js'],
      ['src/store/memory/memory-store.ts', 'src/store/port.js'],
      ['scripts/bench-pushes.ts', 'scripts/lib/apns-stand-in.js'],
      ['console/src/pages/tiers/tier-form.tsx', 'src/features/tiers/tier-schemas.js'],
    ];
    for (const [from, to] of allowed)
      expect({ from, to, why: ruleBroken(from, to) }).toEqual({ from, to, why: undefined });
  });

  it('see every form of import', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "import './d.css';",
      "const e = await import('./e.js');",
      "import { f } from 'express';",
    ].join('\n');
    expect(importsOf(text)).toEqual(['./a.js', '../b.js', './c.js', './d.css', './e.js']);
  });
});
