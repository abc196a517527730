/**
 * A scanner for the Windows event XML schema (`<Event><System>...<EventData>`),
 * built for speed instead of a generic XML DOM: one pass over the text that
 * checks tag nesting and entities and keeps only what the mapping reads.
 */
import { internSlice, internString, sameText } from './intern.js';

/** What the scanner reads from one `<Event>` element. */
export interface ScannedEvent {
  /** The `<System>` leaf elements the mapping reads. */
  system: SystemFields;
  providerName: string | undefined;
  systemTime: string | undefined;
  /** `<Data>` values in document order, with their `Name` attribute when present. */
  dataNames: (string | undefined)[];
  dataValues: string[];
  /** `<UserData>`: the child element's leaf values, by the child's name. */
  userData: Record<string, Record<string, string>> | undefined;
  /** `<RenderingInfo><Message>` text. */
  message: string | undefined;
}

/** `<System>` leaf elements; a fixed shape keeps the stores fast. */
export interface SystemFields {
  EventID: string | undefined;
  Computer: string | undefined;
  Channel: string | undefined;
  EventRecordID: string | undefined;
  Task: string | undefined;
  Opcode: string | undefined;
  Level: string | undefined;
  Keywords: string | undefined;
  /** True once any `<System>` child was seen. */
  seen: boolean;
}

const GT = 62; // >
const SLASH = 47; // /
const QUOTE = 34; // "
const APOSTROPHE = 39; // '

/** Character classes by code below 128: 1 name characters (letters, digits, `_ - . :`), 2 white space. */
const CHARACTER_CLASS = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  if (/[A-Za-z0-9_.:-]/.test(String.fromCharCode(code))) CHARACTER_CLASS[code] = 1;
}
for (const code of [9, 10, 13, 32]) CHARACTER_CLASS[code] = 2;

/** Letters, digits and `_ - . :`, the characters of the attribute names Windows writes. */
function isNameCharacter(code: number): boolean {
  return code < 128 && CHARACTER_CLASS[code] === 1;
}

function setSystemField(system: SystemFields, name: string, value: string): void {
  system.seen = true;
  switch (name) {
    case 'EventID':
      system.EventID = value;
      break;
    case 'Computer':
      system.Computer = value;
      break;
    case 'Channel':
      system.Channel = value;
      break;
    case 'EventRecordID':
      system.EventRecordID = value;
      break;
    case 'Task':
      system.Task = value;
      break;
    case 'Opcode':
      system.Opcode = value;
      break;
    case 'Level':
      system.Level = value;
      break;
    case 'Keywords':
      system.Keywords = value;
      break;
  }
}

function isSpace(code: number): boolean {
  return code < 128 && CHARACTER_CLASS[code] === 2;
}

/**
 * True when the text from `start` to `end` is empty or white space by the
 * rules of `trim()`. ASCII is checked in place, anything else through `trim()`.
 */
function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128) return text.slice(start, end).trim() === '';
    if (code !== 32 && (code < 9 || code > 13)) return false;
  }
  return true;
}

/** Reads one Windows XML event, or returns why the text is not well-formed. */
export function scanWindowsXml(text: string): ScannedEvent | string {
  return readCommonShape(text) ?? scanAnyShape(text);
}

/** An attribute as Windows writes it: one space before, no space around `=`, double quotes, no entity. */
const ATTRIBUTE = ' [A-Za-z0-9_.:-]+="[^"<&]*"';
/** A `<System>` leaf element whose text the mapping reads, without entities. */
const leaf = (name: string) => `(?:<${name}>([^<&]*)</${name}>)?`;

/**
 * The start of an event up to `</System>`, sticky from position 0. It matches the
 * children only in the order Windows writes them, each at most once, so any other
 * order falls back to the character scanner.
 */
const COMMON_SYSTEM = new RegExp(
  `<Event(?:${ATTRIBUTE})*><System>` +
    `<Provider(?: Name="([^"<&]*)")?(?: (?!Name=)${ATTRIBUTE.slice(1)})*/>` +
    '<EventID(?: Qualifiers="[^"<&]*")?>([^<&]*)</EventID>' +
    '(?:<Version>[^<&]*</Version>)?' +
    leaf('Level') +
    leaf('Task') +
    leaf('Opcode') +
    leaf('Keywords') +
    '(?:<TimeCreated SystemTime="([^"<&]*)"/>)?' +
    leaf('EventRecordID') +
    `(?:<Correlation(?:${ATTRIBUTE})*/>)?` +
    `(?:<Execution(?:${ATTRIBUTE})*/>)?` +
    leaf('Channel') +
    leaf('Computer') +
    `(?:<Security(?:${ATTRIBUTE})*/>)?` +
    '</System>',
  'y',
);

const EVENT_END = '</Event>';

/**
 * Reads the common event shape with native regular expressions instead of the character scanner.
 * Returns undefined for any other shape or a bad entity, so that `scanAnyShape` gives its result.
 */
function readCommonShape(text: string): ScannedEvent | undefined {
  COMMON_SYSTEM.lastIndex = 0;
  const match = COMMON_SYSTEM.exec(text);
  if (match === null) return undefined;
  const dataNames: (string | undefined)[] = [];
  const dataValues: string[] = [];
  let position = COMMON_SYSTEM.lastIndex;
  if (text.startsWith('<EventData>', position)) {
    position = readData(text, position + 11, match[2], dataNames, dataValues);
    if (position === -1) return undefined;
  } else if (text.startsWith('<EventData/>', position)) {
    position += 12;
  }
  if (position + EVENT_END.length !== text.length || !text.endsWith(EVENT_END)) return undefined;
  return {
    system: {
      EventID: match[2],
      Computer: match[10],
      Channel: match[9],
      EventRecordID: match[8],
      Task: match[4],
      Opcode: match[5],
      Level: match[3],
      Keywords: match[6],
      seen: true,
    },
    providerName: match[1],
    systemTime: match[7],
    dataNames,
    dataValues,
    userData: undefined,
    message: undefined,
  };
}

/**
 * The `Name` values read at each place of the `<Data>` leaves, by EventID.
 * Events of one EventID have the same names in the same order, so a name is
 * compared in place with the one read there before, without a slice and a lookup.
 * The map is cleared when it reaches `NAME_LISTS_LIMIT` EventIDs.
 */
const NAMES_BY_EVENT_ID = new Map<string, string[]>();
const NAME_LISTS_LIMIT = 256;

/** Places past this are looked up each time, which bounds each list. */
const PLACES = 64;

function namesOf(eventId: string | undefined): string[] {
  const key = eventId ?? '';
  let names = NAMES_BY_EVENT_ID.get(key);
  if (names === undefined) {
    if (NAMES_BY_EVENT_ID.size >= NAME_LISTS_LIMIT) NAMES_BY_EVENT_ID.clear();
    names = [];
    NAMES_BY_EVENT_ID.set(key, names);
  }
  return names;
}

const DATA_OPEN = '<Data';
const NAME_ATTRIBUTE = ' Name="';
const DATA_CLOSE = '</Data>';
const EVENT_DATA_CLOSE = '</EventData>';
const BINARY_OPEN = '<Binary>';
const BINARY_CLOSE = '</Binary></EventData>';
/** `<` or `&`, which a `Name` value of the common shape never contains. */
const MARKUP = /[<&]/;

/**
 * Reads the `<Data>` leaves after `<EventData>` up to and including
 * `</EventData>`, which may follow one `<Binary>` element, and returns the
 * position after it, or -1 for another shape. The forms read are
 * `<Data Name="n">text</Data>`, `<Data Name="n"/>` and the same without
 * `Name`. A `Name` contains no `<` or `&`, and a text no `<`. Read with
 * `indexOf` and `sameText`, which ran faster here than `startsWith`, and with
 * names predicted by EventID, instead of a sticky regular expression per leaf.
 */
function readData(
  text: string,
  start: number,
  eventId: string | undefined,
  names: (string | undefined)[],
  values: string[],
): number {
  const known = namesOf(eventId);
  let position = start;
  for (;;) {
    if (!sameText(DATA_OPEN, text, position)) break;
    let cursor = position + DATA_OPEN.length;
    let name: string | undefined;
    if (sameText(NAME_ATTRIBUTE, text, cursor)) {
      const nameStart = cursor + NAME_ATTRIBUTE.length;
      const place = names.length;
      const expected = place < PLACES ? known[place] : undefined;
      if (
        expected !== undefined &&
        text.charCodeAt(nameStart + expected.length) === QUOTE &&
        sameText(expected, text, nameStart)
      ) {
        name = expected;
        cursor = nameStart + expected.length + 1;
      } else {
        const nameEnd = text.indexOf('"', nameStart);
        if (nameEnd === -1) return -1;
        const raw = text.slice(nameStart, nameEnd);
        if (MARKUP.test(raw)) return -1;
        name = internString(raw);
        if (place < PLACES) known[place] = name;
        cursor = nameEnd + 1;
      }
    }
    const code = text.charCodeAt(cursor);
    let value = '';
    if (code === SLASH && text.charCodeAt(cursor + 1) === GT) {
      position = cursor + 2;
    } else if (code === GT) {
      const lt = text.indexOf('<', cursor + 1);
      if (lt === -1 || !sameText(DATA_CLOSE, text, lt)) return -1;
      value = text.slice(cursor + 1, lt);
      if (value.includes('&')) {
        const decoded = decodeEntities(value);
        if (decoded === undefined) return -1;
        value = decoded;
      }
      position = lt + DATA_CLOSE.length;
    } else {
      return -1;
    }
    names.push(name);
    values.push(value);
  }
  if (sameText(EVENT_DATA_CLOSE, text, position)) return position + EVENT_DATA_CLOSE.length;
  if (!sameText(BINARY_OPEN, text, position)) return -1;
  const lt = text.indexOf('<', position + BINARY_OPEN.length);
  if (lt === -1 || !sameText(BINARY_CLOSE, text, lt)) return -1;
  const ampersand = text.indexOf('&', position);
  if (ampersand !== -1 && ampersand < lt) return -1;
  return lt + BINARY_CLOSE.length;
}

/** Reads any well-formed event with the character scanner, or returns why the text is not well-formed. */
function scanAnyShape(text: string): ScannedEvent | string {
  const result: ScannedEvent = {
    system: {
      EventID: undefined,
      Computer: undefined,
      Channel: undefined,
      EventRecordID: undefined,
      Task: undefined,
      Opcode: undefined,
      Level: undefined,
      Keywords: undefined,
      seen: false,
    },
    providerName: undefined,
    systemTime: undefined,
    dataNames: [],
    dataValues: [],
    userData: undefined,
    message: undefined,
  };
  const stack: string[] = [];
  let userChild: Record<string, string> | undefined;
  /** Name attribute of the `<Data>` element being read. */
  let dataName: string | undefined;
  let content = '';
  let position = 0;
  // The next `&` at or after the attribute value being read, found once per `&`.
  let nextAmpersand = text.indexOf('&');
  const length = text.length;
  while (position < length) {
    const open = text.indexOf('<', position);
    const end = open === -1 ? length : open;
    if (end > position) {
      const segment = text.slice(position, end);
      if (stack.length === 0) {
        if (segment.trim() !== '') return 'text outside the <Event> element';
      } else {
        const decoded = decodeEntities(segment);
        if (decoded === undefined) return `unknown or malformed entity in "${clip(segment)}"`;
        content += decoded;
      }
    }
    if (open === -1) break;
    const next = text.charCodeAt(open + 1);
    if (next === 63 /* ? */) {
      const close = text.indexOf('?>', open + 2);
      if (close === -1) return 'unterminated processing instruction';
      position = close + 2;
      continue;
    }
    if (next === 33 /* ! */) {
      if (text.startsWith('<!--', open)) {
        const close = text.indexOf('-->', open + 4);
        if (close === -1) return 'unterminated comment';
        position = close + 3;
        continue;
      }
      if (text.startsWith('<![CDATA[', open)) {
        const close = text.indexOf(']]>', open + 9);
        if (close === -1) return 'unterminated CDATA section';
        content += text.slice(open + 9, close);
        position = close + 3;
        continue;
      }
      return 'unexpected <! declaration';
    }
    if (next === SLASH) {
      const close = text.indexOf('>', open + 2);
      if (close === -1) return 'unterminated closing tag';
      const expected = stack.pop();
      // Compared in place: slicing every closing tag name showed in the profile.
      if (
        expected === undefined ||
        !sameText(expected, text, open + 2) ||
        !isBlank(text, open + 2 + expected.length, close)
      ) {
        const name = text.slice(open + 2, close).trimEnd();
        return expected === undefined
          ? `closing tag </${name}> without an opening tag`
          : `mismatched tags: <${expected}> closed by </${name}>`;
      }
      const name = expected;
      const depth = stack.length;
      if (depth === 2) {
        const section = stack[1];
        if (section === 'System') setSystemField(result.system, name, content);
        else if (section === 'EventData' && name === 'Data') {
          result.dataNames.push(dataName);
          result.dataValues.push(content);
        } else if (section === 'RenderingInfo' && name === 'Message') result.message = content;
      } else if (depth === 3 && stack[1] === 'UserData' && userChild !== undefined) {
        userChild[name] = content;
      }
      content = '';
      position = close + 1;
      continue;
    }
    // An opening tag: the name, then attributes, then `>` or `/>`.
    let cursor = open + 1;
    while (cursor < length) {
      const code = text.charCodeAt(cursor);
      if (isSpace(code) || code === GT || code === SLASH) break;
      cursor++;
    }
    const name = internSlice(text, open + 1, cursor);
    if (name === '') return 'empty tag name';
    if (stack.length === 0 && name !== 'Event') return `root element is <${name}>, not <Event>`;
    const depth = stack.length;
    dataName = undefined;
    let selfClosing = false;
    for (;;) {
      while (cursor < length && isSpace(text.charCodeAt(cursor))) cursor++;
      if (cursor >= length) return `unterminated tag <${name}>`;
      const code = text.charCodeAt(cursor);
      if (code === GT) {
        cursor++;
        break;
      }
      if (code === SLASH) {
        if (text.charCodeAt(cursor + 1) !== GT) return `malformed tag <${name}>`;
        selfClosing = true;
        cursor += 2;
        break;
      }
      let equals = cursor;
      while (equals < length && isNameCharacter(text.charCodeAt(equals))) equals++;
      if (equals === cursor) return `malformed attribute in <${name}>`;
      const attributeStart = cursor;
      const attributeLength = equals - cursor;
      while (equals < length && isSpace(text.charCodeAt(equals))) equals++;
      if (text.charCodeAt(equals) !== 61 /* = */) {
        return `attribute without a value in <${name}>`;
      }
      let quoteAt = equals + 1;
      while (quoteAt < length && isSpace(text.charCodeAt(quoteAt))) quoteAt++;
      const quote = text.charCodeAt(quoteAt);
      if (quote !== QUOTE && quote !== APOSTROPHE) return `unquoted attribute in <${name}>`;
      const valueEnd = text.indexOf(quote === QUOTE ? '"' : "'", quoteAt + 1);
      if (valueEnd === -1) return `unterminated attribute value in <${name}>`;
      const lt = text.indexOf('<', quoteAt + 1);
      if (lt !== -1 && lt < valueEnd) return `"<" in an attribute value of <${name}>`;
      // Only the values the mapping reads are sliced and decoded.
      const isName = attributeLength === 4 && sameText('Name', text, attributeStart);
      const isSystemTime =
        !isName && attributeLength === 10 && sameText('SystemTime', text, attributeStart);
      if (nextAmpersand !== -1 && nextAmpersand <= quoteAt) {
        nextAmpersand = text.indexOf('&', quoteAt + 1);
      }
      if (isName || isSystemTime) {
        const ampersand = nextAmpersand;
        let value: string | undefined;
        if (ampersand === -1 || ampersand > valueEnd) {
          // `Name` values become object keys: the shared copy stores faster.
          value = isName
            ? internSlice(text, quoteAt + 1, valueEnd)
            : text.slice(quoteAt + 1, valueEnd);
        } else {
          const raw = text.slice(quoteAt + 1, valueEnd);
          value = decodeEntities(raw);
          if (value === undefined) return `unknown or malformed entity in "${clip(raw)}"`;
        }
        if (isName) {
          if (depth === 2 && name === 'Provider' && stack[1] === 'System') {
            result.providerName = value;
          } else if (name === 'Data') dataName = value;
        } else if (name === 'TimeCreated') {
          result.systemTime = value;
        }
      } else {
        const ampersand = nextAmpersand;
        if (ampersand === -1 || ampersand > valueEnd) {
          cursor = valueEnd + 1;
          continue;
        }
        const raw = text.slice(quoteAt + 1, valueEnd);
        if (decodeEntities(raw) === undefined)
          return `unknown or malformed entity in "${clip(raw)}"`;
      }
      cursor = valueEnd + 1;
    }
    if (depth === 2 && stack[1] === 'UserData') {
      userChild = {};
      result.userData ??= {};
      result.userData[name] = userChild;
    }
    content = '';
    if (selfClosing) {
      if (depth === 2 && stack[1] === 'EventData' && name === 'Data') {
        result.dataNames.push(dataName);
        result.dataValues.push('');
      }
      if (depth === 0) return 'the <Event> element is empty';
    } else {
      stack.push(name);
    }
    position = cursor;
  }
  if (stack.length > 0) return `unclosed <${stack[stack.length - 1]}> (truncated?)`;
  return result;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

/** One-character strings by character code below 128, for decimal character references. */
const ASCII = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));

/** Decodes the XML entities and character references of a text, or undefined for a bad one. */
export function decodeEntities(text: string): string | undefined {
  let ampersand = text.indexOf('&');
  if (ampersand === -1) return text;
  let result = '';
  let position = 0;
  while (ampersand !== -1) {
    // Decimal references such as `&#9;` and `&#10;`, most of those in Windows
    // events, are read in place; anything else is sliced and looked at below.
    let end = decimalReferenceEnd(text, ampersand);
    let decoded: string | undefined;
    if (end !== -1) {
      const point = referencePoint;
      decoded = point < 128 ? ASCII[point] : String.fromCodePoint(point);
    } else {
      end = text.indexOf(';', ampersand + 1);
      if (end === -1 || end - ampersand > 12) return undefined;
      decoded = entityText(text.slice(ampersand + 1, end));
      if (decoded === undefined) return undefined;
    }
    result += text.slice(position, ampersand) + decoded;
    position = end + 1;
    ampersand = text.indexOf('&', position);
  }
  return result + text.slice(position);
}

/** The code point of the reference `decimalReferenceEnd` read last. */
let referencePoint = 0;

/**
 * Reads a decimal character reference at `ampersand`: `&#`, digits, then `;`
 * within 12 characters of the `&`, at most U+10FFFF. Sets `referencePoint` and
 * returns the position of the `;`, or returns -1 for anything else.
 */
function decimalReferenceEnd(text: string, ampersand: number): number {
  if (text.charCodeAt(ampersand + 1) !== 35 /* # */) return -1;
  let point = 0;
  let position = ampersand + 2;
  for (; position - ampersand <= 12; position++) {
    const digit = text.charCodeAt(position) - 48;
    if (digit < 0 || digit > 9) break;
    point = point * 10 + digit;
  }
  if (
    position === ampersand + 2 ||
    position - ampersand > 12 ||
    text.charCodeAt(position) !== 59 /* ; */ ||
    point > 0x10ffff
  ) {
    return -1;
  }
  referencePoint = point;
  return position;
}

/** Decodes one entity or character reference, given without `&` and `;`, or returns undefined. */
function entityText(entity: string): string | undefined {
  if (entity.charCodeAt(0) === 35 /* # */) {
    const hex = entity.charCodeAt(1) === 120; /* x */
    const digits = entity.slice(hex ? 2 : 1);
    const point = hex ? Number.parseInt(digits, 16) : Number.parseInt(digits, 10);
    const valid = hex ? /^[0-9a-fA-F]+$/.test(digits) : /^\d+$/.test(digits);
    return valid && point <= 0x10ffff ? String.fromCodePoint(point) : undefined;
  }
  return Object.hasOwn(NAMED_ENTITIES, entity) ? NAMED_ENTITIES[entity] : undefined;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
