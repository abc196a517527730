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

/** Moves the highlighted option by `step`, wrapping around at either end of the list. */
export function moveActive(active: number, step: number, count: number): number {
  if (count === 0) return 0;
  return (((active + step) % count) + count) % count;
}
