/**
 * `npm start`: run the compiled service (dist/main.js) with plain Node, building it first when
 * dist/ is missing or was built from other sources, and the console when console/dist is
 * (scripts/build.js). Worker processes (WORKERS > 1) re-run this file; only the primary checks
 * the builds. A failed console build does not stop the service: the API starts, and /console
 * answers a page saying how to build it.
 */
import cluster from 'node:cluster';
import { build, buildConsole, buildNeeded, consoleBuildNeeded } from './build.js';

if (cluster.isPrimary && buildNeeded()) {
  console.log('Building dist/ from src/ (first start or changed sources) …');
  try {
    build();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
if (cluster.isPrimary && consoleBuildNeeded()) {
  console.log('Building the console into console/dist/ (first start or changed sources) …');
  try {
    buildConsole();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    console.error('Starting without a console build: /console explains how to build it.');
  }
}
await import('../dist/main.js');
