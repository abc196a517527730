/**
 * Logic of the query box's content assist that needs no DOM: when the list opens by itself, what
 * accepting a suggestion does to the text, and how a field's OCSF classes read.
 */
import type { AssistResult, Suggestion } from '../../query-lang/assist.js';

/** Class captions shown in a suggestion before the rest is summed up as "+N more". */
export const CLASSES_SHOWN = 3;

/** Delay after the last keystroke before suggestions open by themselves, in milliseconds. */
export const ASSIST_DELAY_MILLIS = 150;

/** Summarizes the OCSF classes of a field for one line of the list, or returns '' without any. */
export function describeClasses(classes: Suggestion['classes']): string {
  if (classes === undefined || classes.length === 0) return '';
  if (classes === 'all') return 'all OCSF classes';
  if (classes.length <= CLASSES_SHOWN) return classes.join(', ');
  const listed = classes.slice(0, CLASSES_SHOWN).join(', ');
  return `${listed} +${classes.length - CLASSES_SHOWN} more`;
}

/** Joins every class caption for a tooltip, or returns '' when the field has no classes. */
export function listClasses(classes: Suggestion['classes']): string {
  if (classes === undefined) return '';
  return classes === 'all' ? 'All OCSF classes' : classes.join(', ');
}

/**
 * Decides whether suggestions open while typing, without Ctrl+Space: when a word is being typed
 * or right after a pipe. After a space only keywords would show, and Enter would accept one of
 * them instead of running the search.
 */
export function opensWhileTyping(text: string, cursor: number, result: AssistResult): boolean {
  if (result.suggestions.length === 0) return false;
  return result.replaceTo > result.replaceFrom || /\|\s*$/.test(text.slice(0, cursor));
}

/** Replaces the text from `replaceFrom` to `replaceTo` with `label`, placing the cursor after it. */
export function applySuggestion(
  text: string,
  range: Pick<AssistResult, 'replaceFrom' | 'replaceTo'>,
  label: string,
): { text: string; cursor: number } {
  const from = Math.max(0, Math.min(range.replaceFrom, text.length));
  const to = Math.max(from, Math.min(range.replaceTo, text.length));
  return { text: text.slice(0, from) + label + text.slice(to), cursor: from + label.length };
}

/**
 * Moves the highlighted option by `step`, wrapping around at either end of the list. With no
 * option highlighted, Down goes to the first option and Up to the last.
 */
export function moveActive(active: number | undefined, step: number, count: number): number {
  if (count === 0) return 0;
  if (active === undefined) return step > 0 ? 0 : count - 1;
  return (((active + step) % count) + count) % count;
}

/** Effect of a key pressed in the query box while the suggestion list is open. */
export type CompletionKeyAction =
  /** Highlight the option at `active`. */
  | { action: 'move'; active: number }
  /** Put the option at `index` into the query. */
  | { action: 'accept'; index: number }
  /** Close the list and run the search. */
  | { action: 'search' }
  /** Close the list and keep the key from doing anything else. */
  | { action: 'close' }
  /** Close the list and let the key do what it does in the text. */
  | { action: 'close-and-type' }
  /** Leave the list open and let the key do what it does in the text. */
  | { action: 'type' };

/**
 * Decides what a key does while suggestions are open. No option is highlighted until Up or Down
 * moves into the list, so Enter runs the search unless the user picked an option. Tab accepts
 * the highlighted option, or the first. Keys that move the cursor close the list, because the
 * suggestions belong to the old cursor position.
 */
export function completionKeyAction(
  key: string,
  shiftKey: boolean,
  active: number | undefined,
  count: number,
): CompletionKeyAction {
  if (key === 'ArrowDown' || key === 'ArrowUp') {
    if (count === 0) return { action: 'close-and-type' };
    return { action: 'move', active: moveActive(active, key === 'ArrowDown' ? 1 : -1, count) };
  }
  if (key === 'Escape') return { action: 'close' };
  if (key === 'Enter' && !shiftKey) {
    return active === undefined ? { action: 'search' } : { action: 'accept', index: active };
  }
  if (key === 'Tab' && !shiftKey) {
    return count === 0 ? { action: 'close-and-type' } : { action: 'accept', index: active ?? 0 };
  }
  if (CURSOR_KEYS.has(key) || key === 'Enter' || key === 'Tab') return { action: 'close-and-type' };
  return { action: 'type' };
}

/** Keys that move the cursor in the query box, which makes the open suggestions stale. */
const CURSOR_KEYS: ReadonlySet<string> = new Set([
  'ArrowLeft',
  'ArrowRight',
  'Home',
  'End',
  'PageUp',
  'PageDown',
]);
