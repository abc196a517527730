/**
 * Token index of the cold tier, for free-text search. Beside each cold file `part-X.parquet`
 * lies `part-X.parquet.tokens`: each token of the raw and message text of the file's rows, with
 * the numbers of the rows that contain it, and the time of every row. A token is a run of
 * letters and digits in the text as DuckDB's `lower()` returns it.
 *
 * A word of ASCII letters and digits occurs in a row's lowercased text exactly when it lies
 * inside one of the row's tokens, because the word has no character that would end a token. So
 * the rows that contain a word are the rows of the tokens that contain it, found by a substring
 * search of the file's token list. `mimikatz` finds the tokens `mimikatz` and `invokemimikatz`,
 * as the scan of `contains(lower(raw), 'mimikatz')` would find their rows.
 *
 * Layout, in this order:
 * - the magic;
 * - the time of each row (epoch microseconds, signed 64-bit little-endian);
 * - the row lists, each a flag byte and then the row numbers as differences in LEB128 varints,
 *   deflated when that is smaller (flag 1);
 * - the tokens' UTF-8 bytes, one after another, those without a letter first;
 * - the start of each token and the end of the last, then the same for the row lists
 *   (unsigned 32-bit little-endian);
 * - a fixed-size footer.
 */
import fs from 'node:fs';
import os from 'node:os';
import { setImmediate } from 'node:timers/promises';
import zlib from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { FREE_TEXT_COLUMNS } from '../query-lang/catalog.js';
import { readFileEnds, readFileRows, sqlString } from './cold-tier.js';
import type { IndexedMatches } from './term-index.js';

export const TOKENS_SUFFIX = '.tokens';

const MAGIC = Buffer.from('THTOKS1\n');
const FOOTER_MAGIC = 0x4b544854; // "THTK"
const FOOTER_BYTES = 48;
const VERSION = 1;

/** Flag of the footer: every row's time is at least the time of the row before. */
const SORTED_BY_TIME = 1;

/** Time of a row whose time is null. It sorts after every real time, as DuckDB's nulls do. */
const NULL_TIME = -(2n ** 63n);

/** Row lists of at least this many bytes are deflated when that makes them smaller. */
const DEFLATE_MIN_BYTES = 64;

/** Characters of a token: letters and digits of any script. */
const TOKEN = /[\p{L}\p{N}]+/gu;

const LETTER = /\p{L}/u;

export function tokensFileOf(file: string): string {
  return `${file}${TOKENS_SUFFIX}`;
}

/**
 * Writes the token index of the Parquet file `dataFile` (absolute path) to `target`. Row numbers
 * are the file's own (`file_row_number`).
 */
export async function writeTokenIndex(
  connection: DuckDBConnection,
  dataFile: string,
  target: string,
): Promise<void> {
  const source = `read_parquet(${sqlString(dataFile)}, hive_partitioning = false`;
  const schema = await connection.runAndReadAll(
    `SELECT column_name FROM (DESCRIBE SELECT * FROM ${source}))`,
  );
  const present = new Set(schema.getRows().map((row) => String(row[0])));
  const texts = FREE_TEXT_COLUMNS.filter((column) => present.has(column)).map(
    (column) => `lower("${column}")`,
  );
  // A line break is no token character, so joining the columns with one keeps their tokens apart.
  const text = texts.length === 0 ? 'NULL::VARCHAR' : `concat_ws(chr(10), ${texts.join(', ')})`;
  const time = present.has('time') ? 'epoch_us("time")' : 'NULL::BIGINT';
  const select = `SELECT file_row_number, ${time}, ${text} FROM ${source}, file_row_number = true)`;
  const result = await readFileRows(connection, dataFile, select);

  // Each token's rows are kept as varint differences as they arrive, a few bytes per token of a
  // row, because a file may have millions of rows.
  let timeBytes: Buffer = Buffer.alloc(8 * 1024);
  let rowCount = 0;
  const lists = new Map<string, RowList>();
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const numbers = chunk.getColumnValues(0) as bigint[];
    const chunkTimes = chunk.getColumnValues(1) as Array<bigint | null>;
    const chunkTexts = chunk.getColumnValues(2) as Array<string | null>;
    for (let index = 0; index < numbers.length; index++) {
      const row = rowCount++;
      if (Number(numbers[index]) !== row) {
        throw new Error(`rows of ${dataFile} arrived out of order at row ${row}`);
      }
      if (timeBytes.length < rowCount * 8) timeBytes = grown(timeBytes, rowCount * 8);
      timeBytes.writeBigInt64LE(chunkTimes[index] ?? NULL_TIME, row * 8);
      const rowText = chunkTexts[index];
      if (rowText === null || rowText === undefined) continue;
      for (const token of rowText.match(TOKEN) ?? []) {
        let list = lists.get(token);
        if (list === undefined) {
          list = { last: -1, bytes: Buffer.alloc(4), length: 0 };
          lists.set(token, list);
        }
        if (list.last !== row) appendRow(list, row);
      }
    }
  }
  timeBytes = timeBytes.subarray(0, rowCount * 8);
  let sorted = true;
  for (let row = 1; row < rowCount && sorted; row++) {
    sorted = timeBytes.readBigInt64LE((row - 1) * 8) <= timeBytes.readBigInt64LE(row * 8);
  }

  // Tokens without a letter (numbers, mostly) come first, so that a word with a letter, which
  // cannot lie inside them, searches only the rest.
  const withoutLetter: string[] = [];
  const withLetter: string[] = [];
  for (const token of lists.keys()) (LETTER.test(token) ? withLetter : withoutLetter).push(token);
  const tokens = [...withoutLetter.sort(), ...withLetter.sort()];
  const lettersFrom = withoutLetter.length;
  const listStarts = Buffer.alloc((tokens.length + 1) * 4);
  const tokenStarts = Buffer.alloc((tokens.length + 1) * 4);
  const encoded: Buffer[] = [];
  const names: Buffer[] = [];
  let listOffset = 0;
  let nameOffset = 0;
  tokens.forEach((token, index) => {
    const bytes = encodeList(lists.get(token)!);
    listStarts.writeUInt32LE(listOffset, index * 4);
    encoded.push(bytes);
    listOffset += bytes.length;
    const name = Buffer.from(token);
    tokenStarts.writeUInt32LE(nameOffset, index * 4);
    names.push(name);
    nameOffset += name.length;
  });
  listStarts.writeUInt32LE(listOffset, tokens.length * 4);
  tokenStarts.writeUInt32LE(nameOffset, tokens.length * 4);

  const postingsOffset = MAGIC.length + timeBytes.length;
  const dictionaryOffset = postingsOffset + listOffset;
  const startsOffset = dictionaryOffset + nameOffset;
  const footer = Buffer.alloc(FOOTER_BYTES);
  footer.writeUInt32LE(VERSION, 0);
  footer.writeUInt32LE(rowCount, 4);
  footer.writeUInt32LE(tokens.length, 8);
  footer.writeUInt32LE(sorted ? SORTED_BY_TIME : 0, 12);
  footer.writeBigUInt64LE(BigInt(postingsOffset), 16);
  footer.writeBigUInt64LE(BigInt(dictionaryOffset), 24);
  footer.writeBigUInt64LE(BigInt(startsOffset), 32);
  footer.writeUInt32LE(lettersFrom, 40);
  footer.writeUInt32LE(FOOTER_MAGIC, 44);
  fs.writeFileSync(
    target,
    Buffer.concat([MAGIC, timeBytes, ...encoded, ...names, tokenStarts, listStarts, footer]),
  );
}

/** Rows of one token while a token file is written: varint differences, and the last row. */
interface RowList {
  last: number;
  bytes: Buffer;
  length: number;
}

function grown(bytes: Buffer, needed: number): Buffer {
  const larger = Buffer.alloc(Math.max(needed, bytes.length * 2));
  bytes.copy(larger);
  return larger;
}

/** Appends `row`, greater than the list's last row, as a varint difference. */
function appendRow(list: RowList, row: number): void {
  if (list.bytes.length < list.length + 5) list.bytes = grown(list.bytes, list.length + 5);
  let delta = row - list.last;
  list.last = row;
  while (delta >= 0x80) {
    list.bytes[list.length++] = (delta & 0x7f) | 0x80;
    delta >>>= 7;
  }
  list.bytes[list.length++] = delta;
}

/** Encodes a row list as a flag byte and its varint differences, deflated when that is smaller. */
function encodeList(list: RowList): Buffer {
  const plain = list.bytes.subarray(0, list.length);
  if (plain.length >= DEFLATE_MIN_BYTES) {
    const deflated = zlib.deflateRawSync(plain);
    if (deflated.length < plain.length) return Buffer.concat([Buffer.from([1]), deflated]);
  }
  return Buffer.concat([Buffer.from([0]), plain]);
}

/** Decodes a row list of `encodeList`. */
function decodeList(bytes: Buffer): number[] {
  const body = bytes[0] === 1 ? zlib.inflateRawSync(bytes.subarray(1)) : bytes.subarray(1);
  const rows: number[] = [];
  let previous = -1;
  let position = 0;
  while (position < body.length) {
    let delta = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = body[position++]!;
      delta += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    previous += delta;
    rows.push(previous);
  }
  return rows;
}

interface Footer {
  rows: number;
  tokens: number;
  /** Whether each row's time is at least the time of the row before, a null time the least. */
  sorted: boolean;
  postingsOffset: number;
  dictionaryOffset: number;
  startsOffset: number;
  /** Number of the first token with a letter; the ones before it have none. */
  lettersFrom: number;
  size: number;
}

function parseFooter(footer: Buffer, size: number): Footer | undefined {
  if (footer.readUInt32LE(44) !== FOOTER_MAGIC || footer.readUInt32LE(0) !== VERSION) return;
  const parsed = {
    rows: footer.readUInt32LE(4),
    tokens: footer.readUInt32LE(8),
    sorted: (footer.readUInt32LE(12) & SORTED_BY_TIME) !== 0,
    postingsOffset: Number(footer.readBigUInt64LE(16)),
    dictionaryOffset: Number(footer.readBigUInt64LE(24)),
    startsOffset: Number(footer.readBigUInt64LE(32)),
    lettersFrom: footer.readUInt32LE(40),
    size,
  };
  const ordered =
    parsed.postingsOffset === MAGIC.length + parsed.rows * 8 &&
    parsed.dictionaryOffset >= parsed.postingsOffset &&
    parsed.startsOffset >= parsed.dictionaryOffset &&
    parsed.startsOffset + (parsed.tokens + 1) * 8 === size - FOOTER_BYTES &&
    parsed.lettersFrom <= parsed.tokens;
  return ordered ? parsed : undefined;
}

/**
 * Checks the frame of the token file at `path`: the magic at both ends, the version, and parts
 * that follow each other before the footer. A file cut short or overwritten fails the check.
 */
export function tokenFileIntact(path: string): boolean {
  return footerOf(path) !== undefined;
}

/** Reads the footer of the token file at `path`, or returns undefined when its frame fails. */
function footerOf(path: string): Footer | undefined {
  const ends = readFileEnds(path, MAGIC.length, FOOTER_BYTES);
  if (ends === undefined || !ends.head.equals(MAGIC)) return undefined;
  return parseFooter(ends.tail, ends.size);
}

function readAt(fd: number, start: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const read = fs.readSync(fd, bytes, done, length - done, start + done);
    if (read === 0) throw new Error('token file ends early');
    done += read;
  }
  return bytes;
}

/** Decodes a row list, or returns undefined when it does not inflate or names a missing row. */
function decodeListOrUndefined(bytes: Buffer, rowCount: number): number[] | undefined {
  let rows: number[];
  try {
    rows = decodeList(bytes);
  } catch {
    return undefined;
  }
  return rows.every((row) => row < rowCount) ? rows : undefined;
}

/**
 * Returns the numbers of the tokens that contain `word`, ascending. The token names are read as
 * bytes and searched as they are: an ASCII word never matches inside a longer UTF-8 character.
 */
function tokensContaining(fd: number, footer: Footer, word: string): number[] | undefined {
  const startBytes = readAt(fd, footer.startsOffset, (footer.tokens + 1) * 4);
  const starts = uint32View(startBytes);
  const first = LETTER.test(word) ? footer.lettersFrom : 0;
  const from = starts[first]!;
  const to = starts[footer.tokens]!;
  if (to < from || footer.dictionaryOffset + to > footer.startsOffset) return undefined;
  const names = readAt(fd, footer.dictionaryOffset + from, to - from);
  const found: number[] = [];
  for (let at = names.indexOf(word); at !== -1; at = names.indexOf(word, at + 1)) {
    // The token that contains the match: the last one that starts at or before it.
    let low = first;
    let high = footer.tokens - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! - from <= at) low = middle;
      else high = middle - 1;
    }
    // A match across the end of a token continues into the next, so it is no match.
    if (at + word.length > starts[low + 1]! - from) continue;
    if (found[found.length - 1] !== low) found.push(low);
  }
  return found;
}

/** Reads little-endian unsigned 32-bit integers, as a view where the machine's order is the same. */
function uint32View(bytes: Buffer): Uint32Array {
  const count = bytes.length / 4;
  if (os.endianness() === 'LE') return new Uint32Array(bytes.buffer, bytes.byteOffset, count);
  return Uint32Array.from({ length: count }, (_, index) => bytes.readUInt32LE(index * 4));
}

/** Count and newest matches of one file, by the file's row numbers. */
interface FileMatches {
  count: number;
  newest: Array<{ row: number; timeUs: bigint }>;
}

/**
 * Finds the rows of one cold file that contain every word, within the time range. Returns
 * undefined when the file has no whole token file.
 */
function fileMatches(
  file: string,
  words: readonly string[],
  range: { earliestMs?: number; latestMs?: number },
  limit: number,
): FileMatches | undefined {
  const path = tokensFileOf(file);
  const footer = footerOf(path);
  if (footer === undefined) return undefined;
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    // Rows of each word: the union of its tokens' rows. A row matches when it has every word.
    let matched: number[] | undefined;
    for (const word of words) {
      const seen = new Uint8Array(footer.rows);
      // A token file whose frame is whole but whose contents fail to decode is passed over too.
      const tokens = tokensContaining(fd, footer, word);
      if (tokens === undefined) return undefined;
      const listStarts = footer.startsOffset + (footer.tokens + 1) * 4;
      for (const token of tokens) {
        const bounds = readAt(fd, listStarts + token * 4, 8);
        const start = bounds.readUInt32LE(0);
        const end = bounds.readUInt32LE(4);
        if (end < start || footer.postingsOffset + end > footer.dictionaryOffset) return undefined;
        const bytes = readAt(fd, footer.postingsOffset + start, end - start);
        const rows = decodeListOrUndefined(bytes, footer.rows);
        if (rows === undefined) return undefined;
        for (const row of rows) seen[row] = 1;
      }
      const rows = matched === undefined ? undefined : new Set(matched);
      const next: number[] = [];
      for (let row = 0; row < footer.rows; row++) {
        if (seen[row] === 1 && (rows === undefined || rows.has(row))) next.push(row);
      }
      matched = next;
      if (matched.length === 0) break;
    }
    if (matched === undefined || matched.length === 0) return { count: 0, newest: [] };

    if (footer.sorted) return sortedMatches(fd, matched, range, limit);

    // The times of the rows from the first match to the last, read at once.
    const first = matched[0]!;
    const last = matched[matched.length - 1]!;
    const times = int64View(readAt(fd, MAGIC.length + first * 8, (last - first + 1) * 8));
    const earliest = range.earliestMs === undefined ? undefined : BigInt(range.earliestMs) * 1000n;
    const latest = range.latestMs === undefined ? undefined : BigInt(range.latestMs) * 1000n;
    const rows: number[] = [];
    const rowTimes = new BigInt64Array(matched.length);
    for (const row of matched) {
      const timeUs = times[row - first]!;
      if (earliest !== undefined && (timeUs === NULL_TIME || timeUs < earliest)) continue;
      if (latest !== undefined && (timeUs === NULL_TIME || timeUs >= latest)) continue;
      rowTimes[rows.length] = timeUs;
      rows.push(row);
    }
    if (limit <= 0 || rows.length === 0) return { count: rows.length, newest: [] };
    // The `limit`-th newest time; the newest are the rows at or after it.
    const boundary =
      rows.length <= limit
        ? NULL_TIME
        : rowTimes.slice(0, rows.length).sort()[rows.length - limit]!;
    const newest: Array<{ row: number; timeUs: bigint }> = [];
    rows.forEach((row, index) => {
      if (rowTimes[index]! >= boundary) newest.push({ row, timeUs: rowTimes[index]! });
    });
    return { count: rows.length, newest: newest.sort(newestFirst) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads little-endian signed 64-bit integers, as a view where the machine's order is the same. */
function int64View(bytes: Buffer): BigInt64Array {
  const count = bytes.length / 8;
  if (os.endianness() === 'LE') return new BigInt64Array(bytes.buffer, bytes.byteOffset, count);
  return BigInt64Array.from({ length: count }, (_, index) => bytes.readBigInt64LE(index * 8));
}

/**
 * Counts and finds the newest of `matched` (ascending row numbers) in a file whose rows are in
 * time order, reading only the times that a binary search and the newest rows need.
 */
function sortedMatches(
  fd: number,
  matched: readonly number[],
  range: { earliestMs?: number; latestMs?: number },
  limit: number,
): FileMatches {
  const timeOf = (row: number) => readAt(fd, MAGIC.length + row * 8, 8).readBigInt64LE(0);
  // Finds the first match whose time is at or after `bound`.
  const firstAtOrAfter = (bound: bigint) => {
    let low = 0;
    let high = matched.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (timeOf(matched[middle]!) < bound) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  let start = 0;
  if (range.earliestMs !== undefined) {
    start = firstAtOrAfter(BigInt(range.earliestMs) * 1000n);
  } else if (range.latestMs !== undefined) {
    // A time range leaves out the rows without a time, which come first.
    start = firstAtOrAfter(NULL_TIME + 1n);
  }
  const end =
    range.latestMs === undefined ? matched.length : firstAtOrAfter(BigInt(range.latestMs) * 1000n);
  if (end <= start) return { count: 0, newest: [] };
  if (limit <= 0) return { count: end - start, newest: [] };

  const newest: Array<{ row: number; timeUs: bigint }> = [];
  for (let index = end - 1; index >= start; index--) {
    const row = matched[index]!;
    const timeUs = timeOf(row);
    // Past `limit`, only rows of the same time as the last kept row are added.
    if (newest.length >= limit && timeUs !== newest[newest.length - 1]!.timeUs) break;
    newest.push({ row, timeUs });
  }
  return { count: end - start, newest };
}

/** Returns the `limit` newest of `matches`, and any of the same time as the last, newest first. */
function newestOf<T extends { timeUs: bigint }>(matches: T[], limit: number): T[] {
  if (limit <= 0) return [];
  let boundary: bigint | undefined;
  if (matches.length > limit) {
    const times = BigInt64Array.from(matches, (match) => match.timeUs).sort();
    boundary = times[times.length - limit];
  }
  const newest =
    boundary === undefined ? [...matches] : matches.filter((match) => match.timeUs >= boundary);
  return newest.sort(newestFirst);
}

function newestFirst(a: { timeUs: bigint }, b: { timeUs: bigint }): number {
  if (a.timeUs === b.timeUs) return 0;
  return a.timeUs > b.timeUs ? -1 : 1;
}

/**
 * Counts the rows of `files` (absolute paths) whose raw or message text contains every word
 * (`isIndexableWord`, lowercase) within the time range, and returns the newest of them, from the
 * token files alone. Returns undefined when a file has no whole token file.
 */
export async function tokenMatches(
  files: readonly string[],
  words: readonly string[],
  range: { earliestMs?: number; latestMs?: number },
  limit: number,
): Promise<IndexedMatches | undefined> {
  let count = 0;
  const newest: Array<{ file: string; row: number; timeUs: bigint }> = [];
  for (const file of files) {
    const found = fileMatches(file, words, range, limit);
    if (found === undefined) return undefined;
    count += found.count;
    for (const match of found.newest) newest.push({ file, ...match });
    // Other work gets a turn between files.
    await setImmediate();
  }
  const shown = newestOf(newest, limit);
  const read = new Set(shown.map((match) => match.file));
  return { count, newest: shown, files: files.filter((file) => read.has(file)) };
}
