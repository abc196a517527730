import { describe, expect, it } from 'vitest';
import { HecError } from './codes.js';
import {
  type EnvelopeContext,
  eventSourceText,
  isFlatFields,
  isIndexAllowed,
  parseEnvelopes,
  parseHecTime,
  scanJsonValueEnd,
} from './envelopes.js';
import { parseRawBody } from './raw.js';
import type { HecToken } from './types.js';

const token: HecToken = {
  id: 'tok-1',
  name: 'unit',
  disabled: false,
  defaultIndex: 'main',
  indexes: ['main', 'web'],
  useAck: false,
  allowQueryStringAuth: false,
};

function context(overrides: Partial<EnvelopeContext> = {}): EnvelopeContext {
  return {
    token,
    defaults: {
      host: 'collector:8088',
      source: 'http:unit',
      sourcetype: 'httpevent',
      index: 'main',
    },
    channel: undefined,
    receivedAt: 1_700_000_000_000,
    maxEventSize: 1024,
    ...overrides,
  };
}

function errorOf(body: string, ctx = context()): { code: number; number: number | undefined } {
  const { error } = parseEnvelopes(body, ctx);
  expect(error).toBeInstanceOf(HecError);
  return { code: error!.code, number: error!.eventNumber };
}

describe('scanJsonValueEnd', () => {
  it('skips braces inside strings', () => {
    const text = '{"event":"a } { \\" }"}{"event":"b"}';
    expect(scanJsonValueEnd(text, 0)).toBe(text.indexOf('{"event":"b"}'));
  });

  it('handles escaped backslashes before quotes', () => {
    const text = '{"event":"c:\\\\"}{"event":"d"}';
    const end = scanJsonValueEnd(text, 0);
    expect(JSON.parse(text.slice(0, end))).toEqual({ event: 'c:\\' });
  });

  it('returns -1 for an unterminated object', () => {
    expect(scanJsonValueEnd('{"event":{"a":1}', 0)).toBe(-1);
    expect(scanJsonValueEnd('{"event":"abc', 0)).toBe(-1);
  });
});

describe('eventSourceText', () => {
  it.each([
    ['{"event":{"a": 1 ,"b":[1,2]},"time":1}', '{"a": 1 ,"b":[1,2]}'],
    ['{ "time" : 1 , "event" : [ "x" ] }', '[ "x" ]'],
    ['{"fields":{"event":"inner"},"event":1.50}', '1.50'],
    ['{"event":{"x":1},"event":{"y":2}}', '{"y":2}'],
    ['{"note":"\\"event\\": no","event":true}', 'true'],
  ])('finds the event text in %s', (envelope, text) => {
    expect(eventSourceText(envelope)).toBe(text);
  });

  it('returns undefined for an escaped key', () => {
    expect(eventSourceText('{"\\u0065vent":{"a":1}}')).toBeUndefined();
  });
});

describe('parseEnvelopes', () => {
  it('parses one envelope with defaults', () => {
    const { events, error } = parseEnvelopes('{"event":"hello"}', context());
    expect(error).toBeUndefined();
    expect(events).toEqual([
      {
        event: 'hello',
        raw: 'hello',
        time: undefined,
        host: 'collector:8088',
        source: 'http:unit',
        sourcetype: 'httpevent',
        index: 'main',
        fields: undefined,
        tokenId: 'tok-1',
        channel: undefined,
        receivedAt: 1_700_000_000_000,
      },
    ]);
  });

  it('parses concatenated envelopes without whitespace', () => {
    const { events, error } = parseEnvelopes('{"event":"a"}{"event":"b"}{"event":"c"}', context());
    expect(error).toBeUndefined();
    expect(events.map((e) => e.event)).toEqual(['a', 'b', 'c']);
  });

  it('parses NDJSON with CRLF and a BOM', () => {
    const body = '\ufeff{"event":"a"}\r\n{"event":"b"}\n\n  {"event":"c"}\n';
    expect(parseEnvelopes(body, context()).events.map((e) => e.event)).toEqual(['a', 'b', 'c']);
  });

  it('keeps object events as received', () => {
    const { events } = parseEnvelopes('{"event": {"b" : 2,  "a":1}}\n{"event":[1, 2]}', context());
    expect(events.map((e) => e.raw)).toEqual(['{"b" : 2,  "a":1}', '[1, 2]']);
  });

  it('parses pretty-printed envelopes after NDJSON lines', () => {
    const body = '{"event":"a"}\n{"event":"b"}{"event":"c"}\n{\n  "event": {\n    "d": 1\n  }\n}\n';
    const { events, error } = parseEnvelopes(body, context());
    expect(error).toBeUndefined();
    expect(events.map((e) => e.event)).toEqual(['a', 'b', 'c', { d: 1 }]);
  });

  it('reports a syntax error on a later line', () => {
    const body = '{"event":"a"}\n{"event":"b"}\n{"event":"c"]\n{"event":"d"}';
    const { events, error } = parseEnvelopes(body, context());
    expect(events.map((e) => e.event)).toEqual(['a', 'b']);
    expect(error?.code).toBe(6);
    expect(error?.eventNumber).toBe(2);
  });

  it('parses a top-level array', () => {
    const { events, error } = parseEnvelopes(' [ {"event":"a"} , {"event":"b"} ] ', context());
    expect(error).toBeUndefined();
    expect(events.map((e) => e.event)).toEqual(['a', 'b']);
  });

  it('keeps object, array and zero events as JSON', () => {
    const { events } = parseEnvelopes(
      '{"event":{}}{"event":[]}{"event":0}{"event":{"k":"v"}}',
      context(),
    );
    expect(events.map((e) => e.raw)).toEqual(['{}', '[]', '0', '{"k":"v"}']);
    expect(events[3]!.event).toEqual({ k: 'v' });
  });

  it('does not carry metadata to the next envelope', () => {
    const { events } = parseEnvelopes(
      '{"event":"a","host":"h1","source":"s1","sourcetype":"st1","index":"web","time":1}{"event":"b"}',
      context(),
    );
    expect(events[0]).toMatchObject({ host: 'h1', source: 's1', sourcetype: 'st1', index: 'web' });
    expect(events[0]!.time).toBe(1000);
    expect(events[1]).toMatchObject({
      host: 'collector:8088',
      source: 'http:unit',
      sourcetype: 'httpevent',
      index: 'main',
      time: undefined,
    });
  });

  it('ignores unknown keys next to event', () => {
    const { events, error } = parseEnvelopes('{"event":"a","color":"red"}', context());
    expect(error).toBeUndefined();
    expect(events).toHaveLength(1);
  });

  it('stops at a syntax error and keeps the events before it', () => {
    const { events, error } = parseEnvelopes(
      '{"event":"e0"}{"event":"e1",}{"event":"e2"}',
      context(),
    );
    expect(events.map((e) => e.event)).toEqual(['e0']);
    expect(error?.code).toBe(6);
    expect(error?.eventNumber).toBe(1);
  });

  it.each([
    ['', 5, undefined],
    ['  \n ', 5, undefined],
    ['[]', 5, undefined],
    ['{"color":"red"}', 5, undefined],
    ['[{"color":"red"}]', 5, undefined],
    ['{"event":"a"}{"color":"red"}', 12, 1],
    ['{"color":"red"}{"event":"a"}', 12, 0],
    ['{"event":""}', 13, 0],
    ['{"event":"a"}{"event":"   "}', 13, 1],
    ['{"event":null}', 6, 0],
    ['{"event":false}', 6, 0],
    ['{"event":"a"', 6, 0],
    ['"just a string"', 6, 0],
    ['{"event":"a"} 42', 6, 1],
    ['[{"event":"a"},{"event":"b"},]', 6, 2],
    ['[{"event":"a"}{"event":"b"}]', 6, 1],
    ['[{"event":"a"}] x', 6, 1],
    ['[{"event":"a"},"b"]', 6, 1],
    ['{"event":"a","time":-1}', 6, 0],
    ['{"event":"a","time":1e300}', 6, 0],
    ['{"event":"a","time":"2024-01-01T00:00:00Z"}', 6, 0],
    ['{"event":"a","time":""}', 6, 0],
    ['{"event":"a","time":true}', 6, 0],
    ['{"event":"a","host":5}', 6, 0],
    ['{"event":"a","sourcetype":{"x":1}}', 6, 0],
    ['{"event":"a","index":["main"]}', 6, 0],
    ['{"event":"a","index":"secret"}', 7, 0],
    ['{"event":"a"}{"event":"b","index":"secret"}', 7, 1],
    ['{"event":"a","fields":{"nested":{"x":1}}}', 15, 0],
    ['{"event":"a","fields":{"list":[["x"]]}}', 15, 0],
    ['{"event":"a","fields":["x"]}', 15, 0],
    ['{"event":"a","fields":"x"}', 15, 0],
  ])('rejects %j with code %i', (body, code, number) => {
    expect(errorOf(body)).toEqual({ code, number });
  });

  it('skips an object with fields and no event', () => {
    const { events, error } = parseEnvelopes('{"fields":{"region":"x"}}{"event":"a"}', context());
    expect(error).toBeUndefined();
    expect(events.map((e) => e.event)).toEqual(['a']);
  });

  it('stores metrics without event as metric events', () => {
    const { events, error } = parseEnvelopes(
      '{"fields":{"metric_name:cpu":1}}{"fields":{"metric_name":"mem","_value":2}}{"event":"a"}',
      context(),
    );
    expect(error).toBeUndefined();
    expect(events.map((e) => e.event)).toEqual(['metric', 'metric', 'a']);
    expect(events[0]!.fields).toEqual({ 'metric_name:cpu': 1 });
  });

  it('accepts flat fields with string arrays', () => {
    const { events } = parseEnvelopes(
      '{"event":"a","fields":{"region":"x","cpu":95.1,"tags":["a","b"]}}',
      context(),
    );
    expect(events[0]!.fields).toEqual({ region: 'x', cpu: 95.1, tags: ['a', 'b'] });
  });

  it('rejects an envelope above maxEventSize', () => {
    const big = `{"event":"${'x'.repeat(2000)}"}`;
    expect(errorOf(`{"event":"ok"}${big}`)).toEqual({ code: 6, number: 1 });
  });

  it('counts multibyte characters against maxEventSize', () => {
    const body = `{"event":"${'é'.repeat(600)}"}`;
    expect(body.length).toBeLessThan(1024);
    expect(errorOf(body)).toEqual({ code: 6, number: 0 });
  });

  it('applies the time default from the query', () => {
    const ctx = context();
    ctx.defaults.time = 5000;
    const { events } = parseEnvelopes('{"event":"a"}{"event":"b","time":2}', ctx);
    expect(events.map((e) => e.time)).toEqual([5000, 2000]);
  });

  it('allows any index when the token list is empty', () => {
    const ctx = context({ token: { ...token, indexes: [] } });
    expect(parseEnvelopes('{"event":"a","index":"anything"}', ctx).events[0]!.index).toBe(
      'anything',
    );
  });
});

describe('isIndexAllowed', () => {
  const anyIndex: HecToken = { ...token, indexes: [] };

  it('allows listed indexes only', () => {
    expect(isIndexAllowed(token, 'web')).toBe(true);
    expect(isIndexAllowed(token, 'finance')).toBe(false);
  });

  it('allows any public index with an empty list', () => {
    expect(isIndexAllowed(anyIndex, 'finance')).toBe(true);
    expect(isIndexAllowed(anyIndex, 'no such index!')).toBe(false);
  });

  it('allows an internal index only when listed', () => {
    expect(isIndexAllowed(anyIndex, '_audit')).toBe(false);
    expect(isIndexAllowed({ ...token, indexes: ['_audit'] }, '_audit')).toBe(true);
  });
});

describe('parseHecTime', () => {
  it.each([
    [1433188255, 1433188255000],
    ['1433188255.500', 1433188255500],
    ['1433188255.123456', 1433188255123.456],
    [1433188255.5, 1433188255500],
    [0, 0],
    [1433188255123, 1433188255123],
    ['1433188255123', 1433188255123],
    [1433188255123456, 1433188255123.456],
    ['1433188255123456789', 1433188255123.457],
  ])('reads %j as %d ms', (value, millis) => {
    expect(parseHecTime(value)).toBe(millis);
  });

  it.each([
    [-1],
    ['-5'],
    ['abc'],
    [''],
    ['1e9'],
    [null],
    [{}],
    [Number.POSITIVE_INFINITY],
    [Number.NaN],
    [1e300],
    [Number.MAX_VALUE],
    ['10000000000000000000000000'],
    ['253402300800000000000'],
  ])('rejects %j', (value) => {
    expect(parseHecTime(value)).toBeNaN();
  });

  it('accepts the last millisecond of 9999', () => {
    const millis = parseHecTime('253402300799999000000');
    expect(Math.round(millis)).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
  });
});

describe('isFlatFields', () => {
  it('accepts scalars and flat arrays', () => {
    expect(isFlatFields({ a: 'x', b: 1, c: ['x', 'y'], d: true })).toBe(true);
  });

  it('rejects nesting', () => {
    expect(isFlatFields({ a: { b: 1 } })).toBe(false);
    expect(isFlatFields({ a: [{ b: 1 }] })).toBe(false);
    expect(isFlatFields({ a: null })).toBe(false);
    expect(isFlatFields([])).toBe(false);
  });
});

describe('parseRawBody', () => {
  it('splits lines and drops CR and blank lines', () => {
    const { events, error } = parseRawBody('one\r\ntwo\r\n\r\n  \nthree', context());
    expect(error).toBeUndefined();
    expect(events.map((e) => e.raw)).toEqual(['one', 'two', 'three']);
    expect(events[0]).toMatchObject({ event: 'one', index: 'main', sourcetype: 'httpevent' });
  });

  it('rejects an empty body with code 5', () => {
    expect(parseRawBody('\r\n\n', context()).error?.code).toBe(5);
  });

  it('rejects a line above maxEventSize', () => {
    const { events, error } = parseRawBody(`ok\n${'y'.repeat(2000)}\nlater`, context());
    expect(events.map((e) => e.raw)).toEqual(['ok']);
    expect(error?.code).toBe(6);
    expect(error?.eventNumber).toBe(1);
  });
});
