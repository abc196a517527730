/**
 * Shared copies of short strings read from event text, such as field names.
 * A fresh slice used as an object key makes V8 look it up in its string table
 * on every store, a large cost in the profiles of the text formats. The shared
 * copy has been looked up once, and finding it compares the text in place,
 * without slicing it.
 */

const TABLE_SIZE = 2048;
const PROBES = 8;

/** Strings by the hash of their text, open addressing. */
const TABLE: (string | undefined)[] = new Array<string | undefined>(TABLE_SIZE).fill(undefined);
const HASHES = new Int32Array(TABLE_SIZE);

/** Hashes `text` from `start` to `end`. */
export function textHash(text: string, start: number, end: number): number {
  let hash = 0;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/**
 * Returns `text.slice(start, end)`, as the shared copy when the table has it or
 * has room for it. The table has a fixed size, because senders choose the
 * names: a new name takes the place of an old one when its slots are full.
 */
export function internSlice(text: string, start: number, end: number): string {
  const length = end - start;
  const hash = textHash(text, start, end);
  for (let probe = 0; probe < PROBES; probe++) {
    const slot = (hash + probe) & (TABLE_SIZE - 1);
    const known = TABLE[slot];
    if (known === undefined) return insert(slot, hash, text.slice(start, end));
    if (HASHES[slot] === hash && known.length === length && sameText(known, text, start)) {
      return known;
    }
  }
  return insert(hash & (TABLE_SIZE - 1), hash, text.slice(start, end));
}

function insert(slot: number, hash: number, value: string): string {
  // A key read back from an object is V8's string-table copy.
  const shared = Object.keys({ [value]: 0 })[0] ?? value;
  TABLE[slot] = shared;
  HASHES[slot] = hash;
  return shared;
}

/** Returns true when `text` contains `name` at `start`. A loop, because V8 runs it faster here than `startsWith`. */
export function sameText(name: string, text: string, start: number): boolean {
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  }
  return true;
}

/**
 * Shared copies of whole strings, such as names captured by a regular
 * expression. A Map lookup hashes the string natively, which costs less than
 * the string-table lookup of storing it as an object key. Bounded like the
 * table above: it starts over when full.
 */
const STRINGS = new Map<string, string>();
const STRINGS_LIMIT = 4096;

/** Returns the shared copy of `value`. */
export function internString(value: string): string {
  const known = STRINGS.get(value);
  if (known !== undefined) return known;
  if (STRINGS.size >= STRINGS_LIMIT) STRINGS.clear();
  const shared = Object.keys({ [value]: 0 })[0] ?? value;
  STRINGS.set(shared, shared);
  return shared;
}
