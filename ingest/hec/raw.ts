/**
 * Breaking of `/raw` bodies into events.
 *
 * Splunk breaks raw text with the sourcetype's LINE_BREAKER (default `([\r\n]+)`) and then
 * merges lines without a timestamp into the previous event (SHOULD_LINEMERGE=true). TelHawk
 * does not merge: every non-blank line is one event, and CR is dropped so CRLF is stored as LF.
 * Time comes from the `time` query parameter only; extraction from the text is left to the
 * sourcetype's normalizer.
 */

import { HecError } from './codes.js';
import type { EnvelopeContext, EnvelopeParseResult } from './envelopes.js';
import type { HecEvent } from './types.js';

const LINE_BREAK = /[\r\n]+/;

/**
 * Splits a `/raw` body into one event per non-blank line, with the context's defaults as
 * metadata. An empty body is code 5, and a line longer than `maxEventSize` bytes is code 6
 * with its event number (the lines before it are returned in `events`).
 */
export function parseRawBody(body: string, context: EnvelopeContext): EnvelopeParseResult {
  const events: HecEvent[] = [];
  const { defaults } = context;
  for (const line of body.split(LINE_BREAK)) {
    if (line.trim() === '') continue;
    if (line.length * 3 > context.maxEventSize) {
      if (Buffer.byteLength(line, 'utf8') > context.maxEventSize) {
        return { events, error: new HecError(6, events.length, 'line larger than maxEventSize') };
      }
    }
    events.push({
      event: line,
      raw: line,
      time: defaults.time,
      host: defaults.host,
      source: defaults.source,
      sourcetype: defaults.sourcetype,
      index: defaults.index,
      fields: undefined,
      tokenId: context.token.id,
      channel: context.channel,
      receivedAt: context.receivedAt,
    });
  }
  if (events.length === 0) return { events, error: new HecError(5) };
  return { events };
}
