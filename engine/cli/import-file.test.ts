import fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalize } from '../../ingest/normalize/index.js';
import { envelopeOf } from './hec-client.js';
import { JsonText, sourcetypeFromContent, splitEvents } from './import-file.js';

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

const texts = (events: unknown[]) =>
  events.map((event) => (event instanceof JsonText ? event.text : event));

describe('thawk import file splitting', () => {
  it('keeps JSON lines as written', () => {
    const text = '{"id": 1, "big": 12345678901234567890}\n\n  {"id":2,"s":"a,b]"}  \n';
    expect(texts(splitEvents(text, '_json'))).toEqual([
      '{"id": 1, "big": 12345678901234567890}',
      '{"id":2,"s":"a,b]"}',
    ]);
  });

  it('splits a JSON array into the text of each element', () => {
    const text = ' [ {"a": [1, 2]}, "x,]", 12345678901234567890 ,\n null, [3] ]\n';
    expect(texts(splitEvents(text, '_json'))).toEqual([
      '{"a": [1, 2]}',
      '"x,]"',
      '12345678901234567890',
      'null',
      '[3]',
    ]);
    expect(texts(splitEvents('[]', '_json'))).toEqual([]);
  });

  it('keeps a single JSON document whole', () => {
    expect(texts(splitEvents('{"n": 9007199254740993}\n', '_json'))).toEqual([
      '{"n": 9007199254740993}',
    ]);
  });

  it('sends JSON events as written and text events as strings', () => {
    const [event] = splitEvents('{"big": 12345678901234567890}', '_json');
    const envelope = envelopeOf(event, { sourcetype: '_json', host: 'h1' });
    expect(envelope).toBe(
      '{"event":{"big": 12345678901234567890},"sourcetype":"_json","host":"h1"}',
    );
    expect(JSON.parse(envelope)).toMatchObject({ sourcetype: '_json', host: 'h1' });
    expect(envelopeOf('a "line"', {})).toBe('{"event":"a \\"line\\""}');
  });
});

describe('thawk import sourcetype from the content', () => {
  /** Counts the OCSF classes of a corpus file's events, split and sent as the importer does. */
  function classesOf(file: string): { sourcetype?: string; classes: Record<string, number> } {
    const text = fs.readFileSync(resolve(CORPUS, file), 'utf8');
    const sourcetype = sourcetypeFromContent(text);
    const classes: Record<string, number> = {};
    for (const event of splitEvents(text, sourcetype ?? '')) {
      const result = normalize({
        event,
        sourcetype: sourcetype ?? 'httpevent',
        source: file,
        host: 'h',
        index: 'main',
        receivedAt: Date.UTC(2026, 0, 5),
      });
      const key = result.ok ? String(result.event.class_uid) : 'failed';
      classes[key] = (classes[key] ?? 0) + 1;
    }
    return { sourcetype, classes };
  }

  it('names a Zeek ASCII log by its #path line', () => {
    expect(classesOf('zeek/tsv/dns.log')).toEqual({ sourcetype: 'bro_dns', classes: { 4003: 96 } });
    expect(classesOf('zeek/tsv/conn.log')).toEqual({
      sourcetype: 'bro_conn',
      classes: { 4001: 112 },
    });
  });

  it('sends Windows classic text as one event per record, named by LogName', () => {
    expect(classesOf('windows/ocsf-mapped/4624_0.event')).toEqual({
      sourcetype: 'WinEventLog:Security',
      classes: { 3002: 1 },
    });
    const two = `${'03/12/2021 10:48:14 AM\nLogName=Security\nEventCode=4689\n'.repeat(2)}`;
    expect(splitEvents(two, '')).toHaveLength(2);
  });

  it('names nothing for other text', () => {
    expect(sourcetypeFromContent('May  1 10:00:00 web01 sshd[1]: Accepted password\n')).toBe(
      undefined,
    );
    expect(sourcetypeFromContent('#separator \\x09\n#fields\tts\n1\n')).toBe(undefined);
    expect(sourcetypeFromContent('03/12/2021 10:48:14 AM\nno key value\n')).toBe(undefined);
  });
});
