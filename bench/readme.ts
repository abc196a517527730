import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../test/support/appliance.js';

const README = path.join(REPO_ROOT, 'bench', 'README.md');

/**
 * Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in
 * bench/README.md, appending the section when the markers are absent.
 */
export function updateReadmeSection(name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const text = fs.existsSync(README) ? fs.readFileSync(README, 'utf8') : '# Benchmarks\n';
  const block = `${start}\n${body}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n## ${name}\n\n${block}\n`;
  fs.writeFileSync(README, next);
}
