import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { astToJson, compileQuery, parseQuery } from './index.js';

const README = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
const EXAMPLE = /```spl\n(.+)\n```\n\n```sql\n(.+)\n-- params: (.+)\n```/g;
const EXAMPLES = [...README.matchAll(EXAMPLE)].map((match) => ({
  query: match[1]!,
  sql: match[2]!,
  params: JSON.parse(match[3]!) as unknown[],
}));

test('README has examples', () => {
  expect(EXAMPLES.length).toBeGreaterThan(15);
});

test.each(EXAMPLES)('README example $query', ({ query, sql, params }) => {
  const parsed = parseQuery(query);
  expect(parsed.errors).toEqual([]);
  const compiled = compileQuery(parsed.ast!, {
    source: 'events',
    nowMs: Date.UTC(2024, 4, 1, 12, 30),
  });
  expect(compiled.sql).toBe(sql);
  expect(compiled.params).toEqual(params);
});

test('README canonical JSON example', () => {
  const match = /```spl\n(.+)\n```\n\n```json\n([\s\S]+?)\n```/.exec(README);
  expect(match).not.toBeNull();
  const parsed = parseQuery(match![1]!);
  expect(parsed.errors).toEqual([]);
  expect(astToJson(parsed.ast!)).toEqual(JSON.parse(match![2]!));
});
