import { describe, expect, it } from 'vitest';
import {
  eventFields,
  flattenObject,
  formatValue,
  indexedFields,
  parseOcsf,
  sortFields,
} from './flatten.js';

describe('flattenObject', () => {
  it('joins nested keys with dots', () => {
    const fields = flattenObject({ src_endpoint: { ip: '10.0.0.1', port: 443 }, class_uid: 3002 });
    expect(fields).toEqual([
      { path: 'src_endpoint.ip', queryPath: 'src_endpoint.ip', value: '10.0.0.1' },
      { path: 'src_endpoint.port', queryPath: 'src_endpoint.port', value: 443 },
      { path: 'class_uid', queryPath: 'class_uid', value: 3002 },
    ]);
  });

  it('reads array members of any element', () => {
    const fields = flattenObject({ observables: [{ name: 'a' }, { name: 'b' }] });
    expect(fields.map((field) => field.path)).toEqual([
      'observables[0].name',
      'observables[1].name',
    ]);
    expect(fields.map((field) => field.queryPath)).toEqual([
      'observables{}.name',
      'observables{}.name',
    ]);
  });

  it('reads array values of any element', () => {
    const fields = flattenObject({ metadata: { profiles: ['cloud', 'host'] } });
    expect(fields.map((field) => [field.path, field.queryPath])).toEqual([
      ['metadata.profiles[0]', 'metadata.profiles{}'],
      ['metadata.profiles[1]', 'metadata.profiles{}'],
    ]);
  });

  it('keeps empty containers, null and booleans', () => {
    const fields = flattenObject({ message: {}, status: [], type_name: null, raw_data: false });
    expect(fields.map((field) => [field.path, field.value])).toEqual([
      ['message', '{}'],
      ['status', '[]'],
      ['type_name', null],
      ['raw_data', false],
    ]);
  });

  it('names no empty container', () => {
    const fields = flattenObject({ unmapped: {}, observables: [] });
    expect(fields.map((field) => field.queryPath)).toEqual([undefined, undefined]);
  });

  it('names no key with other characters', () => {
    const fields = flattenObject({
      unmapped: { 'id.orig_h': '10.0.0.1', 'k<b>ey': 'x', 'a b': 'y', ok_1: 'z' },
    });
    expect(fields.map((field) => [field.path, field.queryPath])).toEqual([
      ['unmapped.id.orig_h', undefined],
      ['unmapped.k<b>ey', undefined],
      ['unmapped.a b', undefined],
      ['unmapped.ok_1', 'unmapped.ok_1'],
    ]);
  });

  it('returns nothing for an empty event', () => {
    expect(flattenObject({})).toEqual([]);
  });

  it('keeps markup in values as text', () => {
    const payload = '<img src=x onerror="window.__xss=1">';
    expect(flattenObject({ message: payload })[0]?.value).toBe(payload);
  });
});

describe('indexedFields', () => {
  it('lists values under fields.', () => {
    expect(indexedFields('{"env":"prod","tags":["a","b"]}')).toEqual([
      { path: 'fields.env', queryPath: 'fields.env', value: 'prod' },
      { path: 'fields.tags[0]', queryPath: 'fields.tags{}', value: 'a' },
      { path: 'fields.tags[1]', queryPath: 'fields.tags{}', value: 'b' },
    ]);
  });

  it('takes a parsed object', () => {
    expect(indexedFields({ n: 3 })).toEqual([
      { path: 'fields.n', queryPath: 'fields.n', value: 3 },
    ]);
  });

  it('names no nested or odd field', () => {
    const fields = indexedFields({
      obj: { a: 1 },
      'metric_name:cpu': 2,
      list: [[1]],
      'mem-free': 3,
    });
    expect(fields.map((field) => [field.path, field.queryPath])).toEqual([
      ['fields.obj.a', undefined],
      ['fields.metric_name:cpu', undefined],
      ['fields.list[0][0]', undefined],
      ['fields.mem-free', 'fields.mem-free'],
    ]);
  });

  it('lists nothing without fields', () => {
    expect(indexedFields(null)).toEqual([]);
    expect(indexedFields('not json')).toEqual([]);
  });
});

describe('sortFields', () => {
  const fields = flattenObject({ b: 10, a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], c: 9, d: 'x' });

  it('sorts paths with numeric indexes', () => {
    const paths = sortFields(fields, 'path', 'asc').map((field) => field.path);
    expect(paths.slice(0, 3)).toEqual(['a[0]', 'a[1]', 'a[2]']);
    expect(paths[10]).toBe('a[10]');
    expect(paths.slice(11)).toEqual(['b', 'c', 'd']);
  });

  it('sorts values descending', () => {
    const subset = fields.filter((field) => ['b', 'c', 'd'].includes(field.path));
    expect(sortFields(subset, 'value', 'desc').map((field) => field.path)).toEqual(['d', 'b', 'c']);
  });

  it('compares numbers numerically', () => {
    const subset = fields.filter((field) => ['b', 'c'].includes(field.path));
    expect(sortFields(subset, 'value', 'asc').map((field) => field.value)).toEqual([9, 10]);
  });

  it('leaves the input order unchanged', () => {
    const before = fields.map((field) => field.path);
    sortFields(fields, 'path', 'desc');
    expect(fields.map((field) => field.path)).toEqual(before);
  });
});

describe('parseOcsf', () => {
  it('returns objects as they are', () => {
    const ocsf = { class_uid: 1 };
    expect(parseOcsf(ocsf)).toBe(ocsf);
  });

  it('parses JSON text', () => {
    expect(parseOcsf('{"class_uid":1}')).toEqual({ class_uid: 1 });
  });

  it('gives an empty object for other input', () => {
    expect(parseOcsf('not json')).toEqual({});
    expect(parseOcsf([1])).toEqual({});
    expect(parseOcsf(null)).toEqual({});
    expect(parseOcsf(undefined)).toEqual({});
  });
});

describe('formatValue', () => {
  it('shows null as text', () => {
    expect(formatValue(null)).toBe('null');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(true)).toBe('true');
  });
});

describe('eventFields', () => {
  const event = {
    id: '01abc',
    host: 'web01',
    source: '',
    sourcetype: 'linux_secure',
    index: 'main',
    fields: { env: 'prod' },
    ocsf: { severity: 'Informational', severity_id: 1, unmapped: { 'id.orig_h': '10.0.0.1' } },
  };

  it('lists metadata with filters', () => {
    expect(eventFields(event).metadata).toEqual([
      { path: 'host', queryPath: 'host', value: 'web01', filter: 'host:"web01"' },
      {
        path: 'sourcetype',
        queryPath: 'sourcetype',
        value: 'linux_secure',
        filter: 'sourcetype:"linux_secure"',
      },
      { path: 'index', queryPath: 'index', value: 'main', filter: 'index:"main"' },
      { path: 'fields.env', queryPath: 'fields.env', value: 'prod', filter: 'fields.env:"prod"' },
    ]);
  });

  it('lists OCSF fields with filters', () => {
    expect(eventFields(event).ocsf.map((field) => field.filter)).toEqual([
      '.severity:"Informational"',
      'severity_id:"1"',
      undefined,
    ]);
  });
});
