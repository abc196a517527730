/**
 * Display of attacker-controlled event text with Unicode bidirectional controls made visible.
 * An override such as U+202E makes `RTL \u202Egnp.exe` read as `exe.png`, and it also reorders
 * the text that follows on the same line. Every place that shows event-derived text renders it
 * with `eventText`, or with `showBidiControls` where only plain text fits (attributes, `<option>`).
 */
import { html, type TemplateResult } from 'lit';

/**
 * Names of the bidirectional formatting characters of Unicode (UAX #9, section 2): the embeddings
 * and overrides, the isolates, and the implicit marks.
 */
export const BIDI_CONTROL_NAMES: Readonly<Record<string, string>> = {
  '\u202A': 'LEFT-TO-RIGHT EMBEDDING',
  '\u202B': 'RIGHT-TO-LEFT EMBEDDING',
  '\u202C': 'POP DIRECTIONAL FORMATTING',
  '\u202D': 'LEFT-TO-RIGHT OVERRIDE',
  '\u202E': 'RIGHT-TO-LEFT OVERRIDE',
  '\u2066': 'LEFT-TO-RIGHT ISOLATE',
  '\u2067': 'RIGHT-TO-LEFT ISOLATE',
  '\u2068': 'FIRST STRONG ISOLATE',
  '\u2069': 'POP DIRECTIONAL ISOLATE',
  '\u200E': 'LEFT-TO-RIGHT MARK',
  '\u200F': 'RIGHT-TO-LEFT MARK',
  '\u061C': 'ARABIC LETTER MARK',
};

const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** A piece of text: plain characters, or one bidirectional control as its code point label. */
export type TextPart = { text: string } | { control: string; name: string };

/** Formats the code point of a character as `U+202E`. */
export function codePointLabel(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Splits text into plain runs and the bidirectional controls between them, in order. */
export function splitBidiControls(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let start = 0;
  for (const match of text.matchAll(BIDI_CONTROL)) {
    if (match.index > start) parts.push({ text: text.slice(start, match.index) });
    const character = match[0];
    parts.push({ control: codePointLabel(character), name: BIDI_CONTROL_NAMES[character] ?? '' });
    start = match.index + character.length;
  }
  if (start < text.length) parts.push({ text: text.slice(start) });
  return parts;
}

/** Replaces each bidirectional control with `[U+202E]`, for places that take only plain text. */
export function showBidiControls(text: string): string {
  return text.replace(BIDI_CONTROL, (character) => `[${codePointLabel(character)}]`);
}

/**
 * Renders event text as an isolated `<bdi>` (so that its direction cannot reorder the text
 * around it) in which each bidirectional control shows as a marked `U+202E` token instead of
 * taking effect. The text goes through Lit text bindings only, never as markup. Style the tokens
 * with the `.bidi-control` rule of `sharedStyles`.
 */
export function eventText(text: string): TemplateResult {
  const parts = splitBidiControls(text).map((part) => {
    if ('text' in part) return part.text;
    const title = `Unicode direction control ${part.control} ${part.name}`;
    return html`<span class="bidi-control" title=${title}>${part.control}</span>`;
  });
  return html`<bdi>${parts}</bdi>`;
}
