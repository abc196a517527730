/**
 * The HEC listener on uWebSockets.js: routing, authentication, channels, body reading,
 * decoding, submission to the sink and Splunk-compatible responses.
 */

import type { HttpRequest, HttpResponse, us_listen_socket } from 'uWebSockets.js';
import type { Logger } from 'pino';
import { AckRegistry } from './acks.js';
import { authenticate } from './auth.js';
import { ContentTooLargeError, gunzipCapped, parseContentEncoding } from './body.js';
import {
  codeReply,
  errorReply,
  HecError,
  type HecReply,
  httpReply,
  statusLine,
  successReply,
} from './codes.js';
import { connectionHost, reverseName } from './connection-host.js';
import { CORS_ALLOWED_HEADERS, compileOriginPolicy } from './cors.js';
import {
  type EnvelopeContext,
  type EnvelopeDefaults,
  isIndexAllowed,
  parseEnvelopes,
  parseHecTime,
} from './envelopes.js';
import { type RateLimit, TokenBucketLimiter } from './rate-limit.js';
import { parseRawBody } from './raw.js';
import type { HecSink, HecToken, HecTokenStore } from './types.js';
import { SinkBusyError } from './types.js';
import { loadUws } from './uws.js';

export interface HecServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tokens: HecTokenStore;
  sink: HecSink;
  logger: Logger;
  /** Bytes, on the wire and decompressed; default 1_000_000. Larger bodies get 413. */
  maxContentLength?: number;
  /** Bytes per event; default 5 MiB. Larger events get code 6. */
  maxEventSize?: number;
  /** Ack channels idle this long are dropped with their unpolled ids; default 600_000. */
  ackIdleTimeoutMs?: number;
  /** Token bucket per source IP, checked before authentication; off when absent. */
  rateLimitPerIp?: RateLimit;
  /** Token bucket per token, checked after authentication; off when absent. */
  rateLimitPerToken?: RateLimit;
  /** Origins allowed for CORS (`*` wildcards, `!` to exclude); CORS is off when absent. */
  corsOrigins?: string[];
  /** `Retry-After` seconds on 503 "Server is busy"; default 5. */
  busyRetryAfterSeconds?: number;
  /** Static headers on every reply, as Splunk's `replyHeader.<name>=<value>` settings add. */
  replyHeaders?: Readonly<Record<string, string>>;
  /**
   * Cookie name, as Splunk's `channel_cookie`: replies to requests with a channel set
   * `<name>=<channel>`, so that a cookie-sticky load balancer keeps a channel on one server.
   */
  channelCookie?: string;
}

/** Count of responses on one path with one HTTP status and HEC code. */
export interface HecRequestCount {
  /** The route path as requested without a trailing slash, or `other` for unknown paths. */
  path: string;
  status: number;
  /** HEC code of the response, or the HTTP status for 404, 405, 413, 415 and 429. */
  code: number;
  count: number;
}

/** Counters for `/metrics`. */
export interface HecStats {
  requests: HecRequestCount[];
  eventsAccepted: number;
  /** Decoded body bytes of requests whose events were accepted. */
  bytesAccepted: number;
  rateLimited: number;
  /** Ack ids not yet reported true. */
  acksPending: number;
  ackChannels: number;
}

export interface HecServer {
  port: number;
  /** Stops listening and waits for requests in flight to reach the sink. */
  close(): Promise<void>;
  stats(): HecStats;
}

type RouteKind = 'event' | 'raw' | 'health' | 'ack';

const ROUTES: ReadonlyMap<string, RouteKind> = new Map([
  ['/services/collector', 'event'],
  ['/services/collector/event', 'event'],
  ['/services/collector/event/1.0', 'event'],
  ['/event/1.0', 'event'],
  ['/services/collector/raw', 'raw'],
  ['/services/collector/raw/1.0', 'raw'],
  ['/raw/1.0', 'raw'],
  ['/services/collector/health', 'health'],
  ['/services/collector/health/1.0', 'health'],
  ['/health/1.0', 'health'],
  ['/services/collector/ack', 'ack'],
  ['/services/collector/ack/1.0', 'ack'],
]);

const ALLOW_POST = 'POST,OPTIONS';
const ALLOW_HEALTH = 'GET,HEAD,OPTIONS';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMPTY_PARAMS = new URLSearchParams();
const WARN_INTERVAL_MILLIS = 10_000;

/** Strips trailing slashes, which several clients append. */
function normalizePath(url: string): string {
  let end = url.length;
  while (end > 1 && url.charCodeAt(end - 1) === 0x2f) end--;
  return end === url.length ? url : url.slice(0, end);
}

function param(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null || value === '' ? undefined : value;
}

/** State of one request, shared between the synchronous handler and the body callbacks. */
interface RequestState {
  res: HttpResponse;
  id: number;
  path: string;
  head: boolean;
  /** An OPTIONS request, whose response gets the CORS preflight headers for an allowed origin. */
  preflight: boolean;
  origin: string;
  channel: string | undefined;
  aborted: boolean;
  responded: boolean;
  eventCount: number;
}

/** Request data read in the handler itself, because uWS forbids reading `req` after it returns. */
interface IngestRequest {
  kind: 'event' | 'raw' | 'ack';
  token: HecToken;
  channel: string | undefined;
  params: URLSearchParams;
  encoding: 'gzip' | 'identity';
  hostHeader: string;
  forwardedFor: string;
  remoteAddress: string;
  receivedAt: number;
}

/** Starts the HEC listener. Resolves once it is listening; rejects when the port is unavailable. */
export function startHecServer(options: HecServerOptions): Promise<HecServer> {
  const { tokens, sink, logger } = options;
  const maxContentLength = options.maxContentLength ?? 1_000_000;
  const maxEventSize = options.maxEventSize ?? 5 * 1024 * 1024;
  const ackIdleTimeoutMs = options.ackIdleTimeoutMs ?? 600_000;
  const busyRetryAfter = String(options.busyRetryAfterSeconds ?? 5);
  const ipLimiter = options.rateLimitPerIp && new TokenBucketLimiter(options.rateLimitPerIp);
  const tokenLimiter =
    options.rateLimitPerToken && new TokenBucketLimiter(options.rateLimitPerToken);
  const corsAllows = options.corsOrigins && compileOriginPolicy(options.corsOrigins);
  const replyHeaders = Object.entries(options.replyHeaders ?? {});
  const acks = new AckRegistry(ackIdleTimeoutMs);
  const uws = loadUws(logger);

  const requestCounts = new Map<string, HecRequestCount>();
  let eventsAccepted = 0;
  let bytesAccepted = 0;
  let rateLimited = 0;
  let nextRequestId = 0;
  const inFlight = new Set<Promise<void>>();
  let lastWarnMillis = 0;
  let suppressedWarnings = 0;

  function countRequest(path: string, status: number, code: number): void {
    const key = `${path} ${status} ${code}`;
    const entry = requestCounts.get(key);
    if (entry) entry.count++;
    else requestCounts.set(key, { path, status, code, count: 1 });
  }

  /** Logs a rejected request at warn level at most once per interval, with the count skipped. */
  function warnRejected(request: RequestState, error: HecError, token: HecToken): void {
    const now = Date.now();
    if (now - lastWarnMillis < WARN_INTERVAL_MILLIS) {
      suppressedWarnings++;
      return;
    }
    logger.warn(
      {
        requestId: request.id,
        path: request.path,
        tokenName: token.name,
        code: error.code,
        eventNumber: error.eventNumber,
        detail: error.detail,
        suppressed: suppressedWarnings,
      },
      'HEC request rejected',
    );
    lastWarnMillis = now;
    suppressedWarnings = 0;
  }

  function send(request: RequestState, reply: HecReply): void {
    if (request.aborted || request.responded) return;
    request.responded = true;
    countRequest(request.path, reply.status, reply.code);
    const { res } = request;
    res.cork(() => {
      res.writeStatus(statusLine(reply.status));
      if (reply.body !== '') res.writeHeader('Content-Type', 'application/json; charset=UTF-8');
      if (reply.headers) {
        for (const name in reply.headers) res.writeHeader(name, reply.headers[name] ?? '');
      }
      for (const [name, value] of replyHeaders) res.writeHeader(name, value);
      // Only a valid channel (a GUID) goes into the cookie, so no request text reaches a header.
      if (
        options.channelCookie !== undefined &&
        request.channel !== undefined &&
        GUID.test(request.channel)
      ) {
        res.writeHeader('Set-Cookie', `${options.channelCookie}=${request.channel}`);
      }
      if (corsAllows?.(request.origin)) {
        res.writeHeader('Access-Control-Allow-Origin', request.origin);
        res.writeHeader('Vary', 'Origin');
        if (request.preflight) {
          res.writeHeader('Access-Control-Allow-Methods', reply.headers?.['Allow'] ?? ALLOW_POST);
          res.writeHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS);
        }
      }
      // endWithoutBody in this uWS build leaves the response open and aborts the process.
      res.end(request.head ? '' : reply.body);
    });
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        {
          requestId: request.id,
          path: request.path,
          status: reply.status,
          code: reply.code,
          channel: request.channel,
          events: request.eventCount,
        },
        'HEC request',
      );
    }
  }

  /** Set once `close` starts; requests on open connections then get 503. */
  let stopping = false;

  function busyReply(): HecReply {
    return { ...codeReply(9), headers: { 'Retry-After': busyRetryAfter } };
  }

  function methodNotAllowed(allow: string): HecReply {
    return { ...httpReply(405), headers: { Allow: allow } };
  }

  function rateLimitReply(waitSeconds: number): HecReply {
    rateLimited++;
    return { ...httpReply(429), headers: { 'Retry-After': String(waitSeconds) } };
  }

  function resolveDefaults(ingest: IngestRequest, peerName: string | undefined): EnvelopeDefaults {
    const { params, token } = ingest;
    const defaults: EnvelopeDefaults = {
      host:
        param(params, 'host') ??
        token.defaultHost ??
        connectionHost(token.connectionHost, ingest, peerName),
      source: param(params, 'source') ?? token.defaultSource ?? `http:${token.name}`,
      sourcetype: param(params, 'sourcetype') ?? token.defaultSourcetype ?? 'httpevent',
      index: param(params, 'index') ?? (token.defaultIndex || 'main'),
    };
    const time = param(params, 'time');
    if (time !== undefined) {
      defaults.time = parseHecTime(time);
      if (Number.isNaN(defaults.time)) {
        throw new HecError(6, undefined, 'invalid time query parameter');
      }
    }
    return defaults;
  }

  async function submitAndRespond(
    request: RequestState,
    ingest: IngestRequest,
    body: Buffer | string,
  ): Promise<void> {
    const { token, channel } = ingest;
    let ackId: number | undefined;
    let repliedAckId: number | undefined;
    try {
      let text: string;
      let decodedBytes: number;
      if (typeof body === 'string') {
        text = body;
        decodedBytes = Buffer.byteLength(body);
      } else {
        const decoded =
          ingest.encoding === 'gzip' ? await gunzipCapped(body, maxContentLength) : body;
        text = decoded.toString('utf8');
        decodedBytes = decoded.length;
      }
      if (request.aborted) return;

      if (ingest.kind === 'ack') {
        send(request, ackReply(ingest, text));
        return;
      }

      const peerName =
        token.connectionHost === 'dns' && token.defaultHost === undefined
          ? await reverseName(ingest.remoteAddress)
          : undefined;
      const context: EnvelopeContext = {
        token,
        defaults: resolveDefaults(ingest, peerName),
        channel,
        receivedAt: ingest.receivedAt,
        maxEventSize,
      };
      if (ingest.kind === 'raw' && !isIndexAllowed(token, context.defaults.index)) {
        throw new HecError(7, 0, 'index not allowed for this token');
      }
      const result =
        ingest.kind === 'raw' ? parseRawBody(text, context) : parseEnvelopes(text, context);
      request.eventCount = result.events.length;
      if (token.useAck && channel !== undefined && result.error === undefined) {
        ackId = acks.reserve(token.id, channel, Date.now());
      }
      if (result.events.length > 0) await sink.submit(result.events);
      if (ackId !== undefined) {
        const id = ackId;
        const ackChannel = channel!;
        // The reply means durable; the ack turns true once the events are queryable too.
        ackId = undefined;
        (sink.queryable?.() ?? Promise.resolve()).then(
          () => acks.complete(token.id, ackChannel, id),
          () => acks.fail(token.id, ackChannel, id),
        );
        repliedAckId = id;
      }
      eventsAccepted += result.events.length;
      if (result.error) {
        warnRejected(request, result.error, token);
        send(request, errorReply(result.error));
      } else {
        bytesAccepted += decodedBytes;
        send(request, successReply(repliedAckId));
      }
    } catch (err) {
      if (ackId !== undefined) acks.fail(token.id, channel!, ackId);
      if (err instanceof ContentTooLargeError) {
        send(request, httpReply(413));
      } else if (err instanceof HecError) {
        if (err.code === 9) send(request, busyReply());
        else send(request, errorReply(err));
      } else if (err instanceof SinkBusyError) {
        send(request, busyReply());
      } else {
        // Storage failed: 503 makes clients retry, where a 500 would make some drop the batch.
        logger.error(
          { err, requestId: request.id, path: request.path, events: request.eventCount },
          'HEC sink failed to store events',
        );
        send(request, busyReply());
      }
    }
  }

  /** Builds the response to a `/ack` poll: `{"acks":[0,1]}` gives `{"acks":{"0":true,"1":false}}`. */
  function ackReply(ingest: IngestRequest, text: string): HecReply {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HecError(6, undefined, 'ack body is not JSON');
    }
    const ids = (parsed as { acks?: unknown } | null)?.acks;
    if (
      !Array.isArray(ids) ||
      !ids.every((id) => typeof id === 'number' && Number.isInteger(id) && id >= 0)
    ) {
      throw new HecError(6, undefined, 'ack body is not {"acks":[<non-negative integers>]}');
    }
    const status = acks.query(ingest.token.id, ingest.channel!, ids as number[], Date.now());
    return { status: 200, body: JSON.stringify({ acks: status }), code: 0 };
  }

  function readBody(request: RequestState, ingest: IngestRequest): void {
    const { res } = request;
    const chunks: Buffer[] = [];
    let size = 0;
    res.onAborted(() => {
      request.aborted = true;
    });
    res.onData((chunk, isLast) => {
      if (request.responded) return;
      size += chunk.byteLength;
      if (size > maxContentLength) {
        send(request, httpReply(413));
        return;
      }
      let body: Buffer | string;
      if (!isLast) {
        // uWS reuses the chunk's memory after this callback returns, so keep a copy.
        chunks.push(Buffer.from(new Uint8Array(chunk)));
        return;
      }
      if (chunks.length > 0) {
        chunks.push(Buffer.from(new Uint8Array(chunk)));
        body = Buffer.concat(chunks, size);
      } else if (ingest.encoding === 'identity') {
        // Single-chunk plain body: decode in place, without a copy.
        body = Buffer.from(chunk).toString('utf8');
      } else {
        body = Buffer.from(new Uint8Array(chunk));
      }
      const task = submitAndRespond(request, ingest, body).catch((err: unknown) => {
        logger.error({ err, requestId: request.id, path: request.path }, 'HEC response failed');
      });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    });
  }

  /**
   * Checks route, method, rate limits, token and channel, reading everything it needs from
   * `req`. Returns the response to send now, or the request data for reading the body.
   */
  function admit(
    res: HttpResponse,
    req: HttpRequest,
    request: RequestState,
    kind: RouteKind,
    receivedAt: number,
  ): HecReply | IngestRequest {
    const method = req.getMethod();
    const allow = kind === 'health' ? ALLOW_HEALTH : ALLOW_POST;
    if (method === 'options') {
      request.preflight = true;
      return { status: 200, body: '', code: 0, headers: { Allow: allow } };
    }
    if (kind === 'health') {
      if (method !== 'get' && method !== 'head') return methodNotAllowed(allow);
      return codeReply(sink.isBusy() ? 18 : 17);
    }
    if (method !== 'post') return methodNotAllowed(allow);

    const remoteAddress = Buffer.from(res.getRemoteAddressAsText()).toString();
    if (ipLimiter) {
      const wait = ipLimiter.take(remoteAddress, receivedAt);
      if (wait > 0) return rateLimitReply(wait);
    }

    // uWS returns undefined, not '', when there is no query string.
    const query: string | undefined = req.getQuery();
    const params = query ? new URLSearchParams(query) : EMPTY_PARAMS;
    let token: HecToken;
    try {
      token = authenticate(
        tokens,
        params.get('token') ?? undefined,
        req.getHeader('authorization'),
      );
    } catch (err) {
      return errorReply(err as HecError);
    }
    if (tokenLimiter) {
      const wait = tokenLimiter.take(token.id, receivedAt);
      if (wait > 0) return rateLimitReply(wait);
    }

    const channel = req.getHeader('x-splunk-request-channel') || param(params, 'channel');
    request.channel = channel;
    if (kind === 'ack' && !token.useAck) return codeReply(14);
    if (channel === undefined && (token.useAck || kind === 'ack')) return codeReply(10);
    if (channel !== undefined && !GUID.test(channel)) return codeReply(11);

    const encoding = parseContentEncoding(req.getHeader('content-encoding'));
    if (encoding === undefined) return httpReply(415);
    const contentLength = Number(req.getHeader('content-length') || '0');
    if (contentLength > maxContentLength) return httpReply(413);

    return {
      kind,
      token,
      channel,
      params,
      encoding,
      hostHeader: req.getHeader('host'),
      forwardedFor: req.getHeader('x-forwarded-for'),
      remoteAddress,
      receivedAt,
    };
  }

  function handle(res: HttpResponse, req: HttpRequest): void {
    const receivedAt = Date.now();
    const path = normalizePath(req.getUrl());
    const kind = ROUTES.get(path);
    const request: RequestState = {
      res,
      id: ++nextRequestId,
      path: kind === undefined ? 'other' : path,
      head: req.getMethod() === 'head',
      preflight: false,
      origin: corsAllows ? req.getHeader('origin') : '',
      channel: undefined,
      aborted: false,
      responded: false,
      eventCount: 0,
    };
    if (stopping) {
      // Keep-alive connections outlive the listening socket: respond to them without storage.
      send(request, busyReply());
      return;
    }
    try {
      const outcome =
        kind === undefined ? httpReply(404) : admit(res, req, request, kind, receivedAt);
      if ('status' in outcome) send(request, outcome);
      else readBody(request, outcome);
    } catch (err) {
      // uWS aborts the process when a handler returns without responding, so respond here.
      logger.error(
        { err, requestId: request.id, path: request.path },
        'HEC request handler failed',
      );
      send(request, busyReply());
    }
  }

  const app = uws.App();
  app.any('/*', handle);

  const sweepTimer = setInterval(
    () => {
      const now = Date.now();
      acks.sweep(now);
      ipLimiter?.sweep(now);
      tokenLimiter?.sweep(now);
    },
    Math.max(1_000, Math.min(ackIdleTimeoutMs, 60_000)),
  );
  sweepTimer.unref();

  return new Promise((resolve, reject) => {
    app.listen(options.host, options.port, (listenSocket: us_listen_socket | false) => {
      if (listenSocket === false) {
        clearInterval(sweepTimer);
        reject(new Error(`HEC failed to listen on ${options.host}:${options.port}`));
        return;
      }
      const port = uws.us_socket_local_port(listenSocket);
      logger.info(
        { host: options.host, port, maxContentLength, maxEventSize, ackIdleTimeoutMs },
        'HEC listening',
      );
      let closed = false;
      resolve({
        port,
        async close() {
          if (closed) return;
          closed = true;
          stopping = true;
          uws.us_listen_socket_close(listenSocket);
          clearInterval(sweepTimer);
          await Promise.allSettled([...inFlight]);
          logger.info({ host: options.host, port }, 'HEC stopped');
        },
        stats() {
          return {
            requests: [...requestCounts.values()].map((entry) => ({ ...entry })),
            eventsAccepted,
            bytesAccepted,
            rateLimited,
            acksPending: acks.pendingCount(),
            ackChannels: acks.channelCount(),
          };
        },
      });
    });
  });
}
