/**
 * Splunk HEC status codes, their exact texts and HTTP statuses, and the error type that
 * carries one of them to the response.
 */

export interface HecCodeInfo {
  text: string;
  status: number;
}

/** Splunk's code table. Clients match on these texts, so they must stay byte for byte. */
export const HEC_CODES: Readonly<Record<number, HecCodeInfo>> = {
  0: { text: 'Success', status: 200 },
  1: { text: 'Token disabled', status: 403 },
  2: { text: 'Token is required', status: 401 },
  3: { text: 'Invalid authorization', status: 401 },
  4: { text: 'Invalid token', status: 403 },
  5: { text: 'No data', status: 400 },
  6: { text: 'Invalid data format', status: 400 },
  7: { text: 'Incorrect index', status: 400 },
  8: { text: 'Internal server error', status: 500 },
  9: { text: 'Server is busy', status: 503 },
  10: { text: 'Data channel is missing', status: 400 },
  11: { text: 'Invalid data channel', status: 400 },
  12: { text: 'Event field is required', status: 400 },
  13: { text: 'Event field cannot be blank', status: 400 },
  14: { text: 'ACK is disabled', status: 400 },
  15: { text: 'Error in handling indexed fields', status: 400 },
  16: { text: 'Query string authorization is not enabled', status: 400 },
  17: { text: 'HEC is healthy', status: 200 },
  18: { text: 'HEC is unhealthy, queues are full', status: 503 },
  19: { text: 'HEC is unhealthy, ack service unavailable', status: 503 },
  20: { text: 'HEC is unhealthy, queues are full, ack service unavailable', status: 503 },
  21: { text: 'Invalid token', status: 400 },
  22: { text: 'Token disabled', status: 400 },
};

/** HTTP-level error texts for responses that use the HEC body shape with the HTTP status as the code. */
export const HTTP_TEXTS: Readonly<Record<number, string>> = {
  404: 'The requested URL was not found on this server.',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
};

const STATUS_LINES: Readonly<Record<number, string>> = {
  200: '200 OK',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  413: '413 Payload Too Large',
  415: '415 Unsupported Media Type',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

/** Returns the HTTP status line uWS expects in `writeStatus`, such as `400 Bad Request`. */
export function statusLine(status: number): string {
  return STATUS_LINES[status] ?? String(status);
}

/** A HEC response: HTTP status, JSON body and extra headers. */
export interface HecReply {
  status: number;
  body: string;
  /** The HEC code in the body, or the HTTP status for HTTP-level errors. */
  code: number;
  headers?: Record<string, string>;
}

/**
 * A request rejected with a Splunk HEC code. `eventNumber` is the 0-based index of the
 * first bad envelope, sent as `invalid-event-number` for the per-event codes 6, 7, 12, 13, 15.
 */
export class HecError extends Error {
  readonly code: number;
  readonly eventNumber: number | undefined;
  /** Reason for the log only, because clients get Splunk's fixed text. */
  readonly detail: string | undefined;

  constructor(code: number, eventNumber?: number, detail?: string) {
    super(HEC_CODES[code]?.text ?? `HEC code ${code}`);
    this.name = 'HecError';
    this.code = code;
    this.eventNumber = eventNumber;
    this.detail = detail;
  }
}

/** Builds the response for a HEC code, with `invalid-event-number` when given. */
export function codeReply(code: number, eventNumber?: number): HecReply {
  const info = HEC_CODES[code];
  if (info === undefined) throw new RangeError(`unknown HEC code ${code}`);
  const body =
    eventNumber === undefined
      ? `{"text":${JSON.stringify(info.text)},"code":${code}}`
      : `{"text":${JSON.stringify(info.text)},"code":${code},"invalid-event-number":${eventNumber}}`;
  return { status: info.status, body, code };
}

/** Builds the response for an HTTP-level error (404, 405, 413, 415, 429). */
export function httpReply(status: number): HecReply {
  const text = HTTP_TEXTS[status] ?? statusLine(status);
  return { status, body: `{"text":${JSON.stringify(text)},"code":${status}}`, code: status };
}

/** Builds the response for a rejected request. */
export function errorReply(error: HecError): HecReply {
  return codeReply(error.code, error.eventNumber);
}

/** Builds the success response, with the channel's ack id when the token uses acks. */
export function successReply(ackId?: number): HecReply {
  const body =
    ackId === undefined
      ? '{"text":"Success","code":0}'
      : `{"text":"Success","code":0,"ackId":${ackId}}`;
  return { status: 200, body, code: 0 };
}
