/**
 * User-defined mappings for custom sourcetypes, read from a JSON mapping file:
 * per sourcetype an OCSF class, an activity, and path-to-path field mappings
 * with simple transforms and lookup tables. No code runs from the file. Every
 * error names the line of the file where it is.
 */
import { type JsonLines, parseJsonWithLines } from './json-lines.js';
import {
  classInfo,
  createEvent,
  eventObject,
  failure,
  fallbackTime,
  isIpAddress,
  isRecord,
  parseIsoMillis,
  severityCaption,
  toInteger,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

/** Transforms a field mapping may apply, in order: `transform`, then `lookup`. */
export const TRANSFORMS = [
  'lowercase',
  'uppercase',
  'trim',
  'to_int',
  'to_float',
  'to_ip',
  'to_string',
  'epoch_s',
  'epoch_ms',
  'iso8601',
] as const;
type Transform = (typeof TRANSFORMS)[number];

interface Lookup {
  table: Record<string, unknown>;
  /** Value for keys missing from the table; without one the field is left out. */
  fallback: unknown;
}

interface FieldMapping {
  from: string[];
  to: string[];
  transform: Transform | undefined;
  lookup: Lookup | undefined;
}

/** An enum attribute (activity, severity) given as a number or read from a field with a lookup. */
type EnumSource = { value: number } | { from: string[]; lookup: Lookup; transform?: Transform };

interface SourcetypeMapping {
  sourcetype: string;
  format: 'json' | 'kv';
  classUid: number;
  activity: EnumSource;
  severity: EnumSource | undefined;
  product: { name: string; vendor_name: string };
  time: { from: string[]; transform: Transform } | undefined;
  fields: FieldMapping[];
  /** Top-level source keys consumed by `from` paths; the others go to `unmapped`. */
  consumed: Set<string>;
}

/** The mapping file could not be read or is invalid; the message names the line. */
export class MappingFileError extends Error {
  override name = 'MappingFileError';
}

let mappings = new Map<string, SourcetypeMapping>();

/** The normalizer of a custom sourcetype (lower case), or undefined when none is configured. */
export function customNormalizer(
  sourcetype: string,
): ((input: RawEvent) => NormalizeResult) | undefined {
  const mapping = mappings.get(sourcetype);
  if (mapping === undefined) return undefined;
  return (input) => applyMapping(mapping, input);
}

/** Sourcetypes of the installed mapping file. */
export function customSourcetypes(): string[] {
  return [...mappings.keys()];
}

/**
 * Parses and validates mapping file text and, when it is valid, replaces the
 * installed mappings. Throws a MappingFileError naming `fileName` and the line.
 */
export function installMappings(text: string, fileName = 'mapping file'): string[] {
  const errors: string[] = [];
  let parsed: { value: unknown; lines: JsonLines };
  try {
    parsed = parseJsonWithLines(text);
  } catch (error) {
    throw new MappingFileError(`${fileName}: ${(error as Error).message}`);
  }
  const next = new Map<string, SourcetypeMapping>();
  const root = parsed.value;
  const lines = parsed.lines;
  const report = (node: unknown, key: string | undefined, message: string) => {
    errors.push(`${fileName}:${lines.lineOf(node, key)}: ${message}`);
  };
  if (!isRecord(root) || !isRecord(root.sourcetypes)) {
    report(root, 'sourcetypes', 'the file must be an object with a "sourcetypes" object');
  } else {
    for (const name in root.sourcetypes) {
      const entry = root.sourcetypes[name];
      const mapping = readSourcetype(name, entry, (node, key, message) =>
        report(node ?? root.sourcetypes, key ?? name, `sourcetype "${name}": ${message}`),
      );
      if (mapping !== undefined) next.set(name.trim().toLowerCase(), mapping);
    }
  }
  if (errors.length > 0) throw new MappingFileError(errors.join('\n'));
  mappings = next;
  return [...next.keys()];
}

/** Removes every custom mapping. */
export function clearMappings(): void {
  mappings = new Map();
}

type Report = (node: unknown, key: string | undefined, message: string) => void;

const ENTRY_KEYS = new Set([
  'format',
  'class_uid',
  'activity_id',
  'activity',
  'severity_id',
  'severity',
  'product',
  'time',
  'fields',
]);
const FIELD_KEYS = new Set(['from', 'to', 'transform', 'lookup', 'default']);
/** Attributes that `createEvent` derives and a mapping must not write. */
const DERIVED = new Set([
  'class_uid',
  'class_name',
  'category_uid',
  'category_name',
  'activity_id',
  'activity_name',
  'type_uid',
  'type_name',
  'severity_id',
  'severity',
  'time',
  'metadata',
  'observables',
]);
const PATH = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*$/;
/** Source paths may name keys with other characters, such as Zeek's `id.orig_h`, when quoted in brackets. */
const SOURCE_PATH = /^[^.\s]+(?:\.[^.\s]+)*$/;

function readSourcetype(
  name: string,
  entry: unknown,
  report: Report,
): SourcetypeMapping | undefined {
  if (!isRecord(entry)) {
    report(undefined, undefined, 'must be an object');
    return undefined;
  }
  let valid = true;
  const fail = (key: string | undefined, message: string, node: unknown = entry) => {
    report(node, key, message);
    valid = false;
  };
  for (const key in entry) if (!ENTRY_KEYS.has(key)) fail(key, `unknown key "${key}"`);
  const format = entry.format ?? 'json';
  if (format !== 'json' && format !== 'kv') fail('format', 'format must be "json" or "kv"');
  const classUid = entry.class_uid;
  const info = typeof classUid === 'number' ? classInfo(classUid) : undefined;
  if (info === undefined)
    fail('class_uid', `class_uid ${JSON.stringify(classUid)} is not an OCSF 1.1.0 class`);
  const activityRaw = entry.activity ?? entry.activity_id;
  const activity = readEnum(
    activityRaw,
    entry.activity !== undefined ? 'activity' : 'activity_id',
    entry,
    fail,
    (id) =>
      info === undefined || id === 0 || id === 99 || info.activities[id] !== undefined
        ? undefined
        : `activity_id ${id} is not an activity of class ${classUid} (${Object.keys(info.activities).join(', ')})`,
  );
  if (activityRaw === undefined)
    fail('class_uid', 'activity_id (a number) or activity ({ from, lookup }) is required');
  const severityRaw = entry.severity ?? entry.severity_id;
  const severity =
    severityRaw === undefined
      ? undefined
      : readEnum(
          severityRaw,
          entry.severity !== undefined ? 'severity' : 'severity_id',
          entry,
          fail,
          (id) =>
            severityCaption(id) === undefined
              ? `severity_id ${id} is not an OCSF severity`
              : undefined,
        );
  const product = entry.product;
  if (
    !isRecord(product) ||
    typeof product.name !== 'string' ||
    typeof product.vendor_name !== 'string'
  ) {
    fail('product', 'product must be an object with "name" and "vendor_name" strings');
  }
  let time: SourcetypeMapping['time'];
  if (entry.time !== undefined) {
    const spec = entry.time;
    if (!isRecord(spec) || typeof spec.from !== 'string' || !SOURCE_PATH.test(spec.from)) {
      fail(
        'time',
        'time must be { "from": "source.path", "parse": "epoch_s" | "epoch_ms" | "iso8601" }',
      );
    } else if (spec.parse !== 'epoch_s' && spec.parse !== 'epoch_ms' && spec.parse !== 'iso8601') {
      fail('parse', 'time.parse must be "epoch_s", "epoch_ms" or "iso8601"', spec);
    } else {
      time = { from: spec.from.split('.'), transform: spec.parse };
    }
  }
  const fields: FieldMapping[] = [];
  if (entry.fields !== undefined && !Array.isArray(entry.fields))
    fail('fields', 'fields must be a list');
  const list = Array.isArray(entry.fields) ? entry.fields : [];
  for (let i = 0; i < list.length; i++) {
    const field = list[i];
    if (!isRecord(field)) {
      fail(String(i), `fields[${i}] must be an object`, list);
      continue;
    }
    for (const key in field)
      if (!FIELD_KEYS.has(key)) fail(key, `fields[${i}]: unknown key "${key}"`, field);
    const from = field.from;
    const to = field.to;
    if (typeof from !== 'string' || !SOURCE_PATH.test(from)) {
      fail('from', `fields[${i}].from must be a source path such as "src" or "user.name"`, field);
      continue;
    }
    if (typeof to !== 'string' || !PATH.test(to)) {
      fail('to', `fields[${i}].to must be an OCSF attribute path such as "src_endpoint.ip"`, field);
      continue;
    }
    const target = to.split('.');
    if (DERIVED.has(target[0]!) && to !== 'metadata.uid' && to !== 'metadata.event_code') {
      fail(
        'to',
        `fields[${i}].to "${to}" is derived by the normalizer and cannot be mapped`,
        field,
      );
      continue;
    }
    const transform = field.transform;
    if (transform !== undefined && !TRANSFORMS.includes(transform as Transform)) {
      fail(
        'transform',
        `fields[${i}].transform "${String(transform)}" is not one of ${TRANSFORMS.join(', ')}`,
        field,
      );
      continue;
    }
    let lookup: Lookup | undefined;
    if (field.lookup !== undefined) {
      if (!isRecord(field.lookup)) {
        fail(
          'lookup',
          `fields[${i}].lookup must be an object of source value to OCSF value`,
          field,
        );
        continue;
      }
      lookup = { table: field.lookup, fallback: field.default };
    }
    fields.push({
      from: from.split('.'),
      to: target,
      transform: transform as Transform | undefined,
      lookup,
    });
  }
  if (!valid || info === undefined || activity === undefined) return undefined;
  const consumed = new Set<string>();
  for (const field of fields) consumed.add(field.from[0]!);
  if (time !== undefined) consumed.add(time.from[0]!);
  if ('from' in activity) consumed.add(activity.from[0]!);
  if (severity !== undefined && 'from' in severity) consumed.add(severity.from[0]!);
  return {
    sourcetype: name,
    format: format as 'json' | 'kv',
    classUid: classUid as number,
    activity,
    severity,
    product: {
      name: (product as Record<string, string>).name!,
      vendor_name: (product as Record<string, string>).vendor_name!,
    },
    time,
    fields,
    consumed,
  };
}

function readEnum(
  raw: unknown,
  key: string,
  entry: Record<string, unknown>,
  fail: (key: string | undefined, message: string, node?: unknown) => void,
  check: (id: number) => string | undefined,
): EnumSource | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'number') {
    const problem = Number.isInteger(raw) ? check(raw) : `${key} must be an integer`;
    if (problem !== undefined) {
      fail(key, problem, entry);
      return undefined;
    }
    return { value: raw };
  }
  if (!isRecord(raw) || typeof raw.from !== 'string' || !isRecord(raw.lookup)) {
    fail(
      key,
      `${key} must be a number or { "from": "source.path", "lookup": { "value": id }, "default": id }`,
      entry,
    );
    return undefined;
  }
  for (const value in raw.lookup) {
    const id = raw.lookup[value];
    const problem =
      typeof id === 'number' && Number.isInteger(id)
        ? check(id)
        : `lookup value for "${value}" must be an integer`;
    if (problem !== undefined) {
      fail(value, `${key}: ${problem}`, raw.lookup);
      return undefined;
    }
  }
  if (raw.default !== undefined) {
    const problem =
      typeof raw.default === 'number' ? check(raw.default) : 'default must be an integer';
    if (problem !== undefined) {
      fail('default', `${key}: ${problem}`, raw);
      return undefined;
    }
  }
  if (raw.transform !== undefined && !TRANSFORMS.includes(raw.transform as Transform)) {
    fail(
      'transform',
      `${key}.transform "${String(raw.transform)}" is not one of ${TRANSFORMS.join(', ')}`,
      raw,
    );
    return undefined;
  }
  return {
    from: raw.from.split('.'),
    lookup: { table: raw.lookup, fallback: raw.default },
    transform: raw.transform as Transform | undefined,
  };
}

const KV_PAIR = /([A-Za-z_][\w.:-]*)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g;

function readSource(mapping: SourcetypeMapping, input: RawEvent): Record<string, unknown> | string {
  if (mapping.format === 'json') {
    const parsed = eventObject(input);
    return 'reason' in parsed ? parsed.reason : parsed.object;
  }
  if (typeof input.event !== 'string') return 'event is not key=value text';
  const fields: Record<string, unknown> = {};
  for (const match of input.event.matchAll(KV_PAIR)) {
    fields[match[1]!] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return fields;
}

/** Reads a dotted source path; a key with dots (`id.orig_h`) is tried whole first. */
function readPath(source: Record<string, unknown>, path: string[]): unknown {
  if (path.length > 1) {
    const whole = source[path.join('.')];
    if (whole !== undefined) return whole;
  }
  let current: unknown = source;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function applyTransform(value: unknown, transform: Transform | undefined): unknown {
  if (transform === undefined || value === undefined || value === null) return value;
  switch (transform) {
    case 'lowercase':
      return typeof value === 'string' ? value.toLowerCase() : value;
    case 'uppercase':
      return typeof value === 'string' ? value.toUpperCase() : value;
    case 'trim':
      return typeof value === 'string' ? value.trim() : value;
    case 'to_int':
      return toInteger(typeof value === 'string' ? value.trim() : value);
    case 'to_float': {
      const number = typeof value === 'number' ? value : Number(value);
      return typeof value !== 'boolean' && value !== '' && Number.isFinite(number)
        ? number
        : undefined;
    }
    case 'to_ip': {
      const text = String(value).trim();
      return isIpAddress(text) ? text : undefined;
    }
    case 'to_string':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'epoch_s': {
      const number = Number(value);
      return value !== '' && Number.isFinite(number) ? Math.round(number * 1000) : undefined;
    }
    case 'epoch_ms': {
      const number = Number(value);
      return value !== '' && Number.isFinite(number) ? Math.round(number) : undefined;
    }
    case 'iso8601':
      return parseIsoMillis(value);
  }
}

function applyLookup(value: unknown, lookup: Lookup | undefined): unknown {
  if (lookup === undefined || value === undefined) return value;
  const key = String(value);
  return Object.hasOwn(lookup.table, key) ? lookup.table[key] : lookup.fallback;
}

function readEnumValue(source: Record<string, unknown>, spec: EnumSource): number | undefined {
  if ('value' in spec) return spec.value;
  const value = applyLookup(
    applyTransform(readPath(source, spec.from), spec.transform),
    spec.lookup,
  );
  return typeof value === 'number' ? value : undefined;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let current = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let next = current[key];
    if (!isRecord(next)) {
      next = {};
      current[key] = next;
    }
    current = next as Record<string, unknown>;
  }
  current[path[path.length - 1]!] = value;
}

function applyMapping(mapping: SourcetypeMapping, input: RawEvent): NormalizeResult {
  const name = `custom:${mapping.sourcetype}`;
  const source = readSource(mapping, input);
  if (typeof source === 'string') return failure(name, `custom mapping: ${source}`);
  const attributes: Record<string, unknown> = {};
  const metadata: Record<string, unknown> = { log_name: mapping.sourcetype };
  for (const field of mapping.fields) {
    const value = applyLookup(
      applyTransform(readPath(source, field.from), field.transform),
      field.lookup,
    );
    if (value === undefined || value === null || value === '') continue;
    if (field.to[0] === 'metadata') metadata[field.to[1]!] = value;
    else setPath(attributes, field.to, value);
  }
  let time: number | undefined;
  let originalTime: string | undefined;
  if (mapping.time !== undefined) {
    const raw = readPath(source, mapping.time.from);
    const parsed = applyTransform(raw, mapping.time.transform);
    if (raw !== undefined && typeof parsed !== 'number') {
      return failure(
        name,
        `custom mapping: time ${JSON.stringify(raw)} is not ${mapping.time.transform}`,
      );
    }
    time = parsed as number | undefined;
    if (raw !== undefined) originalTime = String(raw);
  }
  const activityId = readEnumValue(source, mapping.activity) ?? 0;
  const unmapped: Record<string, unknown> = {};
  for (const key in source) if (!mapping.consumed.has(key)) unmapped[key] = source[key];
  const event = createEvent({
    classUid: mapping.classUid,
    activityId,
    severityId:
      mapping.severity === undefined ? undefined : readEnumValue(source, mapping.severity),
    time: time ?? fallbackTime(input),
    originalTime,
    product: mapping.product,
    metadata,
    attributes,
    unmapped,
  });
  return { ok: true, event, normalizer: name };
}
