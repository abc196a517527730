/**
 * RFC 5424 syslog lines:
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [STRUCTURED-DATA] MSG`.
 * The header and message go through the same authentication rules as RFC 3164
 * lines; the priority and structured data are kept in `unmapped`.
 */
import { eventFromSyslogHeader } from './linux-auth.js';
import { failure, parseIsoMillis } from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

export const SYSLOG_5424 = 'syslog-5424';

const HEADER = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /;
const NIL = '-';

/** True for text that starts with an RFC 5424 header (`<PRI>1 `). */
export function isRfc5424(text: string): boolean {
  return HEADER.test(text);
}

export function normalizeRfc5424(input: RawEvent): NormalizeResult {
  if (typeof input.event !== 'string') return failure(SYSLOG_5424, 'syslog event is not text');
  const line = input.event.replace(/\r?\n$/, '');
  const match = HEADER.exec(line);
  if (match === null) return failure(SYSLOG_5424, 'line has no RFC 5424 header');
  const [header, priority, stamp, host, app, procId, msgId] = match;
  const time = stamp === NIL ? undefined : parseIsoMillis(stamp);
  if (stamp !== NIL && time === undefined) {
    return failure(SYSLOG_5424, `RFC 5424 timestamp ${JSON.stringify(stamp)} is not RFC 3339`);
  }
  const rest = line.slice(header!.length);
  const data = readStructuredData(rest);
  if (typeof data === 'string') return failure(SYSLOG_5424, data);
  // A UTF-8 byte order mark may start the message.
  const message = rest.slice(data.end).replace(/^ ?\uFEFF?/, '');
  const pri = Number(priority);
  const unmapped: Record<string, unknown> = { facility: pri >> 3, severity: pri & 7 };
  if (msgId !== NIL) unmapped.msgid = msgId;
  if (data.elements !== undefined) unmapped.structured_data = data.elements;
  const pid = procId !== NIL && /^\d+$/.test(procId!) ? Number(procId) : undefined;
  if (procId !== NIL && pid === undefined) unmapped.procid = procId;
  const event = eventFromSyslogHeader(
    {
      time: time ?? input.time ?? input.receivedAt,
      originalTime: stamp!,
      host: host === NIL ? '' : host!,
      program: app === NIL ? '' : app!,
      pid,
      message: message.trim(),
    },
    { profiles: ['host'], log_name: 'syslog' },
    unmapped,
  );
  return { ok: true, event, normalizer: SYSLOG_5424 };
}

/**
 * Reads `-` or one or more `[id name="value" ...]` elements, with `\"`, `\\`
 * and `\]` escapes in values.
 */
function readStructuredData(
  text: string,
): { elements: Record<string, Record<string, string>> | undefined; end: number } | string {
  if (text.startsWith(NIL)) return { elements: undefined, end: 1 };
  if (!text.startsWith('[')) return 'RFC 5424 structured data is neither "-" nor [...]';
  const elements: Record<string, Record<string, string>> = {};
  let position = 0;
  while (text[position] === '[') {
    const idEnd = text.slice(position + 1).search(/[ \]]/);
    if (idEnd === -1) return 'unterminated RFC 5424 structured data element';
    const id = text.slice(position + 1, position + 1 + idEnd);
    const params: Record<string, string> = {};
    position += 1 + idEnd;
    while (text[position] === ' ') {
      const equals = text.indexOf('="', position);
      if (equals === -1) return `RFC 5424 parameter without a quoted value in [${id}]`;
      const name = text.slice(position + 1, equals);
      let value = '';
      let cursor = equals + 2;
      for (; cursor < text.length; cursor++) {
        const char = text[cursor];
        if (char === '\\' && cursor + 1 < text.length && '"\\]'.includes(text[cursor + 1]!)) {
          value += text[cursor + 1];
          cursor++;
        } else if (char === '"') break;
        else value += char;
      }
      if (cursor >= text.length) return `unterminated RFC 5424 parameter value in [${id}]`;
      params[name] = value;
      position = cursor + 1;
    }
    if (text[position] !== ']') return `malformed RFC 5424 structured data element [${id}]`;
    elements[id] = params;
    position++;
  }
  return { elements, end: position };
}
