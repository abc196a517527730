/**
 * `npm run bench`: runs every benchmark in turn; each updates bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../test/support/appliance.js';

const BENCHMARKS = ['ingest.js', 'normalize.js', 'storage.js', 'query.js'];

for (const file of BENCHMARKS) {
  process.stderr.write(`running ${file}\n`);
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'bench', file)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    process.stderr.write(`${file} failed with exit code ${result.status}\n`);
    process.exit(1);
  }
}
