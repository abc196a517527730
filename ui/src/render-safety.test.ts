/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';

// Event text is attacker-controlled, so components render values only through Lit text bindings.
// This scan keeps the escape hatches out of the source; the browser test checks the rendered page.
const files = import.meta.glob<string>(['./*.ts', '!./*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const sources = Object.entries(files).map(([path, text]) => ({
  name: path.replace('./', ''),
  text,
}));

const forbidden: [string, RegExp][] = [
  ['unsafeHTML', /unsafeHTML|unsafeSVG|unsafeStatic/],
  ['innerHTML', /\.(inner|outer)HTML\b|insertAdjacentHTML/],
  ['document.write', /document\.write/],
  ['bound href or src', /\b(href|src|action|formaction)=\$\{/],
  ['eval', /\beval\(|new Function\(/],
];

describe('component sources', () => {
  it('exist', () => {
    expect(sources.map((source) => source.name)).toContain('th-results.ts');
  });

  for (const [label, pattern] of forbidden) {
    it(`avoid ${label}`, () => {
      const offenders = sources.filter((source) => pattern.test(source.text));
      expect(offenders.map((source) => source.name)).toEqual([]);
    });
  }
});
