import { describe, expect, it } from 'vitest';
import { envelopeOf } from './hec-client.js';
import { JsonText, splitEvents } from './import-file.js';

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
