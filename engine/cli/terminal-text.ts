/**
 * Escaping of log text for the terminal. Log text is attacker-controlled, and a terminal acts on
 * some characters instead of showing them. ESC and the C1 control CSI (U+009B) start sequences
 * that change colours, set the window title or write to the clipboard. BEL rings, CR and BS move
 * the cursor back over printed text, and Unicode's bidirectional controls reorder the text around
 * them.
 */

/**
 * Characters besides the C0 controls that a terminal may act on: DEL, the C1 controls, the line
 * and paragraph separators, and the bidirectional controls of UAX #9 (the set that ui/src/bidi.ts
 * marks in the web UI). JSON.stringify writes all of them raw.
 */
const NON_C0_CONTROLS =
  '\\u007F-\\u009F\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069';

/** The C0 controls, tab and line feed included, and `NON_C0_CONTROLS`. */
const TERMINAL_CONTROL = new RegExp(`[\\u0000-\\u001F${NON_C0_CONTROLS}]`, 'g');

const JSON_RAW_CONTROL = new RegExp(`[${NON_C0_CONTROLS}]`, 'g');

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}

function escapeCharacter(character: string): string {
  const short = SHORT_ESCAPES[character];
  if (short !== undefined) return short;
  const code = character.charCodeAt(0);
  return code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

/**
 * Replaces each character that a terminal may act on with a visible escape: `\t`, `\n` and `\r`,
 * `\x1b` for the other C0 controls, DEL and the C1 controls, and `\u202e` for the rest.
 * NOTE: backslashes stay as they are, so that Windows paths read as written. So `\x1b` in the
 * output may also be those four characters in the data.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(TERMINAL_CONTROL, escapeCharacter);
}

/**
 * Escapes `text` as `escapeForTerminal` does and cuts it to at most `width` UTF-16 code units,
 * ending with `...` when cut. A cut never splits an escape or a surrogate pair.
 */
export function terminalCell(text: string, width: number): string {
  const escaped = escapeForTerminal(text);
  if (escaped.length <= width) return escaped;
  let prefix = '';
  for (const character of text) {
    const piece = escapeForTerminal(character);
    if (prefix.length + piece.length > width - 3) break;
    prefix += piece;
  }
  return `${prefix}...`;
}

/**
 * Escapes, in the text of a JSON document, the characters that JSON.stringify leaves raw and a
 * terminal may act on, as `\u009b`. They can only occur inside JSON strings, so the document
 * still parses to the same value.
 */
export function escapeJsonForTerminal(json: string): string {
  return json.replace(JSON_RAW_CONTROL, (character) => `\\u${hex(character.charCodeAt(0), 4)}`);
}

/** Writes JSON text to stdout, through `escapeJsonForTerminal` when stdout is a terminal. */
export function printJson(json: string): void {
  process.stdout.write(process.stdout.isTTY === true ? escapeJsonForTerminal(json) : json);
}
