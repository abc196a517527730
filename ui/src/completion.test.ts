import { describe, expect, it } from 'vitest';
import { assist } from '../../query-lang/assist.js';
import {
  applySuggestion,
  describeClasses,
  listClasses,
  moveActive,
  opensWhileTyping,
} from './completion.js';

describe('applySuggestion', () => {
  it('replaces the typed prefix', () => {
    expect(applySuggestion('user:a | st', { replaceFrom: 9, replaceTo: 11 }, 'stats')).toEqual({
      text: 'user:a | stats',
      cursor: 14,
    });
  });

  it('keeps the text after the cursor', () => {
    expect(
      applySuggestion('actor.u | head', { replaceFrom: 0, replaceTo: 7 }, 'actor.user.'),
    ).toEqual({
      text: 'actor.user. | head',
      cursor: 11,
    });
  });

  it('clamps a range past the end', () => {
    expect(applySuggestion('ab', { replaceFrom: 5, replaceTo: 9 }, 'c')).toEqual({
      text: 'abc',
      cursor: 3,
    });
  });
});

describe('describeClasses', () => {
  it('lists a few classes', () => {
    expect(describeClasses(['DNS Activity'])).toBe('DNS Activity');
  });

  it('sums up a long list', () => {
    expect(describeClasses(['A', 'B', 'C', 'D', 'E'])).toBe('A, B, C +2 more');
    expect(listClasses(['A', 'B', 'C', 'D', 'E'])).toBe('A, B, C, D, E');
  });

  it('names all classes', () => {
    expect(describeClasses('all')).toBe('all OCSF classes');
  });

  it('is empty without classes', () => {
    expect(describeClasses(undefined)).toBe('');
    expect(listClasses(undefined)).toBe('');
  });
});

describe('opensWhileTyping', () => {
  const opens = (text: string) => opensWhileTyping(text, text.length, assist(text, text.length));

  it('opens on a word being typed', () => {
    expect(opens('use')).toBe(true);
    expect(opens('actor.user.')).toBe(true);
  });

  it('opens after a pipe', () => {
    expect(opens('user:alice | ')).toBe(true);
  });

  it('stays closed after a space or in a value', () => {
    expect(opens('user:alice ')).toBe(false);
    expect(opens('user:ali')).toBe(false);
    expect(opens('')).toBe(false);
  });
});

describe('moveActive', () => {
  it('wraps at both ends', () => {
    expect(moveActive(2, 1, 3)).toBe(0);
    expect(moveActive(0, -1, 3)).toBe(2);
    expect(moveActive(1, 1, 3)).toBe(2);
    expect(moveActive(0, 1, 0)).toBe(0);
  });
});
