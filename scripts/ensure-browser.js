/**
 * `pretest`: make sure the headless Chromium of the browser suites is there (Debian's `chromium`,
 * driven by playwright-core; shared/STACK.md). Missing and running as root with apt-get: installs
 * it (non-interactive; `apt-get update` first when the plain install fails). Otherwise it prints
 * what to run. It never fails the test run: the browser suites themselves report a missing
 * browser with a clear message (docs/decisions/0024).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

function run(command, args) {
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

function hasAptGet() {
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

if (!existsSync(CHROMIUM)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && hasAptGet()) {
    console.log(`${CHROMIUM} is missing: installing Debian's chromium for the browser tests …`);
    const installed =
      run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']) ||
      (run('apt-get', ['update']) &&
        run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']));
    if (!installed || !existsSync(CHROMIUM)) {
      console.warn(
        'Could not install chromium; the browser tests will report it. Try: apt-get update && apt-get install -y chromium',
      );
    }
  } else {
    console.warn(
      `${CHROMIUM} is missing, so the browser tests cannot run. Install Debian's chromium as root:\n` +
        '  sudo apt-get update && sudo apt-get install -y chromium\n' +
        '(npx playwright install does not work here: it downloads a browser build.)',
    );
  }
}
