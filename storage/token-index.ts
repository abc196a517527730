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
 * Layout: the magic; the time of each row (epoch microseconds, signed 64-bit little-endian);
 * the row lists; the sorted tokens, one per line, deflated; the start of each token's row list
 * within the row lists and the end of the last (unsigned 32-bit little-endian), deflated; then a
 * fixed-size footer. A row list is a flag byte, then the row numbers as differences in LEB128
 * varints, deflated when that is smaller (flag 1).
 */
import fs from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import zlib from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { FREE_TEXT_COLUMNS } from '../query-lang/catalog.js';
import { readFileEnds, sqlString } from './cold-tier.js';
import type { IndexedMatches } from './term-index.js';

export const TOKENS_SUFFIX = '.tokens';

const MAGIC = Buffer.from('THTOKS1\n');
const FOOTER_MAGIC = 0x4b544854; // "THTK"
const FOOTER_BYTES = 48;
const VERSION = 1;

/** Time of a row whose time is null; it sorts after every real time, as DuckDB's nulls do. */
const NULL_TIME = -(2n ** 63n);

/** Row lists of at least this many bytes are deflated when that makes them smaller. */
const DEFLATE_MIN_BYTES = 64;

/** Files above this size are streamed from DuckDB instead of materialized. */
const STREAM_MIN_BYTES = 4 * 1024 * 1024;

/** Bytes of token lists that are kept parsed between searches. */
const CACHE_BYTES = 64 * 1024 * 1024;

/** Characters of a token: letters and digits of any script. */
const TOKEN = /[\p{L}\p{N}]+/gu;

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
  const result =
    fs.statSync(dataFile).size > STREAM_MIN_BYTES
      ? await connection.stream(select)
      : await connection.run(select);

  // Row numbers are kept as varint differences as they arrive, a few bytes per token of a row,
  // because a file may hold millions of rows.
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

  const tokens = [...lists.keys()].sort();
  const starts = new Uint32Array(tokens.length + 1);
  const encoded: Buffer[] = [];
  let offset = 0;
  tokens.forEach((token, index) => {
    const bytes = encodeList(lists.get(token)!);
    starts[index] = offset;
    encoded.push(bytes);
    offset += bytes.length;
  });
  starts[tokens.length] = offset;

  const postingsOffset = MAGIC.length + timeBytes.length;
  const dictionary = zlib.deflateRawSync(Buffer.from(tokens.join('\n')));
  const dictionaryOffset = postingsOffset + offset;
  const startsOffset = dictionaryOffset + dictionary.length;
  const footer = Buffer.alloc(FOOTER_BYTES);
  footer.writeUInt32LE(VERSION, 0);
  footer.writeUInt32LE(rowCount, 4);
  footer.writeUInt32LE(tokens.length, 8);
  footer.writeBigUInt64LE(BigInt(postingsOffset), 16);
  footer.writeBigUInt64LE(BigInt(dictionaryOffset), 24);
  footer.writeBigUInt64LE(BigInt(startsOffset), 32);
  footer.writeUInt32LE(FOOTER_MAGIC, 44);
  const startBytes = Buffer.alloc(starts.length * 4);
  starts.forEach((start, index) => {
    startBytes.writeUInt32LE(start, index * 4);
  });
  fs.writeFileSync(
    target,
    Buffer.concat([
      MAGIC,
      timeBytes,
      ...encoded,
      dictionary,
      zlib.deflateRawSync(startBytes),
      footer,
    ]),
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
  postingsOffset: number;
  dictionaryOffset: number;
  startsOffset: number;
  size: number;
}

function parseFooter(footer: Buffer, size: number): Footer | undefined {
  if (footer.readUInt32LE(44) !== FOOTER_MAGIC || footer.readUInt32LE(0) !== VERSION) return;
  const parsed = {
    rows: footer.readUInt32LE(4),
    tokens: footer.readUInt32LE(8),
    postingsOffset: Number(footer.readBigUInt64LE(16)),
    dictionaryOffset: Number(footer.readBigUInt64LE(24)),
    startsOffset: Number(footer.readBigUInt64LE(32)),
    size,
  };
  const ordered =
    parsed.postingsOffset === MAGIC.length + parsed.rows * 8 &&
    parsed.dictionaryOffset >= parsed.postingsOffset &&
    parsed.startsOffset >= parsed.dictionaryOffset &&
    parsed.startsOffset < size - FOOTER_BYTES;
  return ordered ? parsed : undefined;
}

/**
 * Checks the frame of the token file at `path`: the magic at both ends, the version, and parts
 * that follow each other before the footer. A file cut short or overwritten fails the check.
 */
export function tokenFileIntact(path: string): boolean {
  const ends = readFileEnds(path, MAGIC.length, FOOTER_BYTES);
  if (ends === undefined || !ends.head.equals(MAGIC)) return false;
  return parseFooter(ends.tail, ends.size) !== undefined;
}

/** The token list of a file, parsed: the tokens, the start of each line, and of each row list. */
interface TokenList {
  text: string;
  lineStarts: Int32Array;
  listStarts: Uint32Array;
  bytes: number;
}

/** Parsed token lists, by path, size and modification time, the least recently used first. */
const cache = new Map<string, TokenList>();
let cachedBytes = 0;

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

function tokenList(fd: number, path: string, footer: Footer, mtimeMs: number): TokenList {
  const key = `${path}\n${footer.size}\n${mtimeMs}`;
  const cached = cache.get(key);
  if (cached !== undefined) {
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }

  const text = zlib
    .inflateRawSync(
      readAt(fd, footer.dictionaryOffset, footer.startsOffset - footer.dictionaryOffset),
    )
    .toString('utf8');
  const startBytes = zlib.inflateRawSync(
    readAt(fd, footer.startsOffset, footer.size - FOOTER_BYTES - footer.startsOffset),
  );

  if (startBytes.length !== (footer.tokens + 1) * 4) throw new Error('token file is damaged');
  const listStarts = new Uint32Array(footer.tokens + 1);
  for (let index = 0; index <= footer.tokens; index++) {
    listStarts[index] = startBytes.readUInt32LE(index * 4);
  }

  const lineStarts = new Int32Array(footer.tokens);
  let line = 0;
  if (footer.tokens > 0) lineStarts[line++] = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) {
    lineStarts[line++] = at + 1;
  }
  if (line !== footer.tokens) throw new Error('token file is damaged');

  const list = { text, lineStarts, listStarts, bytes: text.length * 2 + footer.tokens * 8 };
  cache.set(key, list);
  cachedBytes += list.bytes;
  for (const [oldKey, old] of cache) {
    if (cachedBytes <= CACHE_BYTES || oldKey === key) break;
    cache.delete(oldKey);
    cachedBytes -= old.bytes;
  }
  return list;
}

function tokenListOrUndefined(
  fd: number,
  path: string,
  footer: Footer,
  mtimeMs: number,
): TokenList | undefined {
  try {
    return tokenList(fd, path, footer, mtimeMs);
  } catch {
    return undefined;
  }
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

/** Returns the numbers of the tokens of `list` that contain `word`, ascending. */
function tokensContaining(list: TokenList, word: string): number[] {
  const found: number[] = [];
  for (let at = list.text.indexOf(word); at !== -1; at = list.text.indexOf(word, at + 1)) {
    // The token whose line contains the match: the last line that starts at or before it.
    let low = 0;
    let high = list.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (list.lineStarts[middle]! <= at) low = middle;
      else high = middle - 1;
    }
    if (found[found.length - 1] !== low) found.push(low);
  }
  return found;
}

/** Count and newest matches of one file; rows are the file's row numbers. */
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
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size, mtimeMs } = fs.fstatSync(fd);
    if (size < MAGIC.length + FOOTER_BYTES) return undefined;
    if (!readAt(fd, 0, MAGIC.length).equals(MAGIC)) return undefined;
    const footer = parseFooter(readAt(fd, size - FOOTER_BYTES, FOOTER_BYTES), size);
    if (footer === undefined) return undefined;
    // A token file whose frame is whole but whose contents fail to decode is passed over too.
    const list = tokenListOrUndefined(fd, path, footer, mtimeMs);
    if (list === undefined) return undefined;

    // Rows of each word: the union of its tokens' rows. A row matches when it has every word.
    let matched: number[] | undefined;
    for (const word of words) {
      const seen = new Uint8Array(footer.rows);
      for (const token of tokensContaining(list, word)) {
        const start = list.listStarts[token]!;
        const end = list.listStarts[token + 1]!;
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

    // The times of the rows from the first match to the last, read at once.
    const first = matched[0]!;
    const last = matched[matched.length - 1]!;
    const timeBytes = readAt(fd, MAGIC.length + first * 8, (last - first + 1) * 8);
    const earliest = range.earliestMs === undefined ? undefined : BigInt(range.earliestMs) * 1000n;
    const latest = range.latestMs === undefined ? undefined : BigInt(range.latestMs) * 1000n;
    const inRange: Array<{ row: number; timeUs: bigint }> = [];
    for (const row of matched) {
      const timeUs = timeBytes.readBigInt64LE((row - first) * 8);
      if (earliest !== undefined && (timeUs === NULL_TIME || timeUs < earliest)) continue;
      if (latest !== undefined && (timeUs === NULL_TIME || timeUs >= latest)) continue;
      inRange.push({ row, timeUs });
    }
    return { count: inRange.length, newest: newestOf(inRange, limit) };
  } finally {
    fs.closeSync(fd);
  }
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
 * token files alone. Undefined when a file has no whole token file.
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
