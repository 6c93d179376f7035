/**
 * `npm start`: run the compiled service (dist/main.js) with plain Node, building it first when
 * dist/ is missing or was built from other sources (scripts/build.js). Worker processes
 * (WORKERS > 1) re-run this file; only the primary checks the build.
 */
import cluster from 'node:cluster';
import { build, buildNeeded } from './build.js';

if (cluster.isPrimary && buildNeeded()) {
  console.log('Building dist/ from src/ (first start or changed sources) …');
  try {
    build();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
await import('../dist/main.js');
