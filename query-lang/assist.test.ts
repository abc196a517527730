import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { assist, ocsfPathClasses, type Suggestion } from './assist.js';
import { OCSF_CLASS_CAPTIONS, OCSF_EVENT_ATTRIBUTES, OCSF_OBJECTS } from './ocsf-fields.js';

const labels = (text: string, cursor = text.length, kind?: string) =>
  assist(text, cursor)
    .suggestions.filter((suggestion) => kind === undefined || suggestion.kind === kind)
    .map((suggestion) => suggestion.label);

describe('content assist', () => {
  test('commands after a pipe', () => {
    const result = labels('user:admin | ', undefined, 'command');
    expect(result).toEqual(
      expect.arrayContaining(['stats', 'where', 'rex', 'lookup', 'transaction']),
    );
  });

  test('a command prefix is completed and replaced', () => {
    const result = assist('user:admin | st', 15);
    expect(result.replaceFrom).toBe(13);
    expect(result.replaceTo).toBe(15);
    expect(result.suggestions.map((suggestion) => suggestion.label)).toEqual(
      expect.arrayContaining(['stats', 'streamstats']),
    );
    expect(result.suggestions.every((suggestion) => suggestion.label.startsWith('st'))).toBe(true);
  });

  test('field names in the search part, with details', () => {
    const result = assist('src', 3);
    expect(result.replaceFrom).toBe(0);
    const field = result.suggestions.find((suggestion) => suggestion.label === 'src_ip');
    expect(field).toMatchObject({ kind: 'field' });
    expect(field?.detail).toBeTruthy();
  });

  test('aggregate functions after stats, fields after by', () => {
    expect(labels('| stats ', undefined, 'function')).toEqual(
      expect.arrayContaining(['count', 'dc', 'values', 'median', 'perc95']),
    );
    expect(labels('| stats count by ho')).toContain('host');
    expect(labels('| stats count ')).toContain('by');
  });

  test('expression functions and fields in where and eval', () => {
    const where = labels('| where ');
    expect(where).toEqual(expect.arrayContaining(['if', 'cidrmatch', 'user', 'src_ip']));
    expect(labels('| eval x = lo')).toContain('lower');
  });

  test('join and append after a pipe', () => {
    expect(labels('user:admin | ', undefined, 'command')).toEqual(
      expect.arrayContaining(['join', 'append']),
    );
    expect(labels('user:admin | jo', undefined, 'command')).toEqual(['join']);
  });

  test('subsearch offered in the search part', () => {
    expect(labels('index=main ', undefined, 'keyword')).toContain('[search');
    expect(labels('index=main [', undefined, 'keyword')).toEqual(['[search']);
    expect(labels('index=main [sea', undefined, 'keyword')).toEqual(['search']);
    expect(labels('index=main [search user=admin | ', undefined, 'command')).toContain('fields');
  });

  test('subsearch offered after join fields', () => {
    expect(labels('| join src_ip ', undefined, 'keyword')).toContain('[search');
    expect(labels('| append ', undefined, 'keyword')).toEqual(['[search']);
    expect(labels('| join src_ip [search user=admin | fields ', undefined, 'field')).toContain(
      'src_ip',
    );
  });

  test('fields after a closed subsearch', () => {
    const text = 'a | join src_ip [search b | stats count as flows by src_ip] | table ';
    expect(labels(text, undefined, 'field')).toEqual(expect.arrayContaining(['flows', 'src_ip']));
  });

  test('keywords after a term', () => {
    expect(labels('user:admin ', undefined, 'keyword')).toEqual(
      expect.arrayContaining(['AND', 'OR', 'NOT', '|']),
    );
  });

  test('after an aggregation only its columns are fields', () => {
    expect(labels('| stats count by user | sort ', undefined, 'field')).toEqual(['user', 'count']);
    expect(labels('| top src_ip | where ', undefined, 'field')).toEqual([
      'src_ip',
      'count',
      'percent',
    ]);
    // OCSF paths no longer exist either.
    expect(labels('| stats count by user | table actor.', undefined, 'field')).toEqual([]);
  });

  test('fields made by earlier stages come first, then the catalog', () => {
    const where = labels(
      '| eval score=len(user) | rex "(?<who>\\w+)" | where ',
      undefined,
      'field',
    );
    expect(where.slice(0, 2)).toEqual(['score', 'who']);
    expect(where).toContain('src_ip');
    expect(labels('| eval score=1 | stats avg(sc', undefined, 'field')[0]).toBe('score');
  });

  test('options that name a field offer fields', () => {
    expect(labels('| rex field=', undefined, 'field')).toEqual(
      expect.arrayContaining(['message', 'raw']),
    );
    expect(labels('| rex field=mes')).toEqual(['message']);
    expect(labels('| eval body=raw | spath input=bo')).toEqual(['body']);
  });

  test('transaction conditions offer fields', () => {
    expect(labels('| transaction host startswith=eval(', undefined, 'field')).toContain('user');
    expect(labels('| transaction host endswith=eval(lo', undefined, 'function')).toContain('lower');
    expect(labels('| transaction host startswith=(', undefined, 'field')).toContain('user');
    expect(labels('| transaction host startswith=(', undefined, 'keyword')).toEqual([]);
  });

  test('after a transaction option no field', () => {
    expect(labels('| transaction host maxspan=1h ', undefined, 'field')).toEqual([]);
    expect(labels('| transaction host maxspan=', undefined, 'field')).toEqual([]);
    expect(labels('| transaction host ', undefined, 'field')).toContain('user');
  });

  test('earlier stages that do not compile leave the catalog', () => {
    expect(labels('| stats count by nosuch_field | where ', undefined, 'field')).toContain('user');
  });

  test('odd input never throws', () => {
    expect(assist('user="open', 10).suggestions).toEqual([]);
    expect(assist('', 99).replaceFrom).toBe(0);
    expect(() => assist('| stats count by ((( ', -5)).not.toThrow();
  });
});

const field = (text: string, label: string): Suggestion | undefined =>
  assist(text, text.length).suggestions.find((suggestion) => suggestion.label === label);

describe('content assist: OCSF classes of fields', () => {
  test('alias user lists identity classes', () => {
    const classes = field('use', 'user')?.classes;
    expect(classes).toEqual(expect.arrayContaining(['Authentication', 'Account Change']));
    expect(classes).not.toBe('all');
  });

  test('user_name lists only classes with user', () => {
    expect(field('user_', 'user_name')?.classes).toEqual([
      'Account Change',
      'Authentication',
      'Authorize Session',
      'User Access Management',
      'Group Management',
      'User Inventory Info',
    ]);
  });

  test('dns_query is a DNS Activity field', () => {
    expect(field('dns', 'dns_query')?.classes).toEqual(['DNS Activity']);
  });

  test('base event fields are in all classes', () => {
    expect(field('tim', 'time')?.classes).toBe('all');
    expect(field('sev', 'severity_id')?.classes).toBe('all');
  });

  test('HEC metadata fields have no classes', () => {
    const host = field('hos', 'host');
    expect(host).toBeDefined();
    expect(host?.classes).toBeUndefined();
  });

  test('an alias has the union of its columns', () => {
    const actorClasses = field('actor_', 'actor_user')?.classes;
    const userClasses = field('user_', 'user_name')?.classes;
    const union = field('use', 'user')?.classes;
    expect(Array.isArray(actorClasses)).toBe(true);
    expect(Array.isArray(userClasses)).toBe(true);
    for (const caption of [...(actorClasses as string[]), ...(userClasses as string[])]) {
      expect(union).toContain(caption);
    }
  });

  test('ocsfPathClasses resolves nested paths', () => {
    expect(ocsfPathClasses('query.hostname')).toEqual([4003]);
    expect(ocsfPathClasses('.actor.user.name')).toContain(3002);
    expect(ocsfPathClasses('observables[0].name')).toBe('all');
    expect(ocsfPathClasses('observables{}.value')).toBe('all');
    expect(ocsfPathClasses('actor.user.no_such_attribute')).toBeUndefined();
    expect(ocsfPathClasses('no_such_object.name')).toBeUndefined();
    expect(ocsfPathClasses('time.name')).toBeUndefined();
  });
});

describe('content assist: OCSF paths', () => {
  test('dotted prefix lists object attributes', () => {
    const result = assist('actor.user.', 11);
    expect(result.replaceFrom).toBe(0);
    expect(result.replaceTo).toBe(11);
    const labels = result.suggestions.map((suggestion) => suggestion.label);
    expect(labels).toEqual(expect.arrayContaining(['actor.user.name', 'actor.user.uid']));
    expect(labels.every((label) => label.startsWith('actor.user.'))).toBe(true);
    const name = result.suggestions.find((suggestion) => suggestion.label === 'actor.user.name');
    expect(name?.kind).toBe('field');
    expect(name?.detail).toBe('OCSF username');
    expect(name?.classes).toContain('Authentication');
  });

  test('partial segment narrows the list', () => {
    expect(labels('user:alice actor.user.na')).toEqual(['actor.user.name']);
  });

  test('paths in a stage replace the whole path', () => {
    const text = '| stats count by actor.user.na';
    const result = assist(text, text.length);
    expect(result.replaceFrom).toBe(17);
    expect(result.suggestions.map((suggestion) => suggestion.label)).toEqual(['actor.user.name']);
  });

  test('list segments get an any-element selector', () => {
    expect(labels('observables.')).toContain('observables{}.name');
    expect(labels('observables{}.ty')).toEqual(['observables{}.type', 'observables{}.type_id']);
    expect(labels('observables[0].val')).toEqual(['observables[0].value']);
  });

  test('leading dot lists event attributes', () => {
    expect(labels('.dispo')).toEqual(['.disposition', '.disposition_id']);
    const detail = field('.disposition_i', '.disposition_id');
    expect(detail?.detail).toBe('OCSF integer');
  });

  test('object fields are offered with a dot', () => {
    expect(labels('src_e')).toContain('src_endpoint.');
    expect(labels('| where src_endpoint.')).toContain('src_endpoint.ip');
    expect(labels('actor.us')).toEqual(['actor.user.']);
    expect(labels('actor.user.gro')).toEqual(['actor.user.groups{}.']);
    expect(labels('observ')).toContain('observables{}.');
    expect(field('actor.user.gro', 'actor.user.groups{}.')?.detail).toBe(
      'OCSF list of group objects',
    );
  });

  test('no paths where a value goes', () => {
    expect(labels('user:actor.')).toEqual([]);
    expect(labels('unknown_object.')).toEqual([]);
    expect(labels('time.')).toEqual([]);
    expect(labels('10.0.0.')).toEqual([]);
  });

  test('cursor inside a path', () => {
    const result = assist('actor.user.na | head 5', 13);
    expect(result.replaceFrom).toBe(0);
    expect(result.replaceTo).toBe(13);
    expect(result.suggestions.map((suggestion) => suggestion.label)).toEqual(['actor.user.name']);
  });
});

const SCHEMA_PATH = new URL('../../shared/ocsf/schema-1.1.0.json', import.meta.url);
const GENERATOR_URL = new URL('../data/generate-ocsf-fields.mjs', import.meta.url).href;

// The schema sits beside the repository in a development checkout, not in the appliance image.
test.skipIf(!existsSync(SCHEMA_PATH))('ocsf-fields.ts matches the schema', async () => {
  const generator = (await import(GENERATOR_URL)) as {
    deriveOcsfFields: (schema: unknown) => {
      classCaptions: unknown;
      eventAttributes: unknown;
      objects: unknown;
    };
  };
  const tables = generator.deriveOcsfFields(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  expect(OCSF_CLASS_CAPTIONS).toEqual(tables.classCaptions);
  expect(OCSF_EVENT_ATTRIBUTES).toEqual(tables.eventAttributes);
  expect(OCSF_OBJECTS).toEqual(tables.objects);
});
