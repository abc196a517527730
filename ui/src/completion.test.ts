import { describe, expect, it } from 'vitest';
import { assist } from '../../query-lang/assist.js';
import {
  applySuggestion,
  completionKeyAction,
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

  it('enters the list from none', () => {
    expect(moveActive(undefined, 1, 3)).toBe(0);
    expect(moveActive(undefined, -1, 3)).toBe(2);
  });
});

describe('completionKeyAction', () => {
  it('runs the search on Enter with nothing highlighted', () => {
    expect(completionKeyAction('Enter', false, undefined, 5)).toEqual({ action: 'search' });
  });

  it('accepts the highlighted option on Enter', () => {
    expect(completionKeyAction('Enter', false, 2, 5)).toEqual({ action: 'accept', index: 2 });
  });

  it('accepts the first option on Tab', () => {
    expect(completionKeyAction('Tab', false, undefined, 5)).toEqual({ action: 'accept', index: 0 });
  });

  it('accepts the highlighted option on Tab', () => {
    expect(completionKeyAction('Tab', false, 3, 5)).toEqual({ action: 'accept', index: 3 });
  });

  it('moves into the list with the arrows', () => {
    expect(completionKeyAction('ArrowDown', false, undefined, 5)).toEqual({
      action: 'move',
      active: 0,
    });
    expect(completionKeyAction('ArrowUp', false, undefined, 5)).toEqual({
      action: 'move',
      active: 4,
    });
    expect(completionKeyAction('ArrowDown', false, 4, 5)).toEqual({ action: 'move', active: 0 });
  });

  it('closes on Escape', () => {
    expect(completionKeyAction('Escape', false, 1, 5)).toEqual({ action: 'close' });
    expect(completionKeyAction('Escape', false, undefined, 5)).toEqual({ action: 'close' });
  });

  it('closes and types on Shift+Enter and cursor keys', () => {
    expect(completionKeyAction('Enter', true, 1, 5)).toEqual({ action: 'close-and-type' });
    expect(completionKeyAction('Tab', true, 1, 5)).toEqual({ action: 'close-and-type' });
    expect(completionKeyAction('ArrowLeft', false, 1, 5)).toEqual({ action: 'close-and-type' });
    expect(completionKeyAction('Home', false, undefined, 5)).toEqual({
      action: 'close-and-type',
    });
  });

  it('lets other keys type', () => {
    expect(completionKeyAction('a', false, undefined, 5)).toEqual({ action: 'type' });
    expect(completionKeyAction('Backspace', false, 2, 5)).toEqual({ action: 'type' });
  });
});
