/**
 * Storage routes: the dead-letter queue (list, replay, purge), tier
 * statistics, and exports of events as Parquet under the data folder's
 * `exports/`.
 */
import path from 'node:path';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { IngestPipeline } from '../../ingest/index.js';
import type { WorkerEvent } from '../../ingest/normalize-worker.js';
import { compileQuery, parseQuery, parseRelativeTime, QueryError } from '../../query-lang/index.js';
import {
  type ColumnBatch,
  type DeadLetterEntry,
  type DeadLetterFilter,
  type EventStore,
  EXPORTS_DIR,
  exportEvents,
  type MetadataStore,
} from '../../storage/index.js';
import { type ApiEnv, requireRole } from './auth.js';
import { apiError, issuesText } from './errors.js';

export interface StorageApiDependencies {
  store: EventStore;
  pipeline: IngestPipeline;
  dataDir: string;
}

const Filter = z.object({
  sourcetype: z.string().max(256).optional(),
  reason: z.string().max(1024).optional(),
});

const ListQuery = Filter.extend({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const ExportRequest = z.object({
  earliest: z.union([z.string().max(64), z.number()]).optional(),
  latest: z.union([z.string().max(64), z.number()]).optional(),
  query: z.string().max(100_000).optional(),
  name: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - and no leading dot')
    .optional(),
});

/** Adds the storage routes; call before the API's catch-all route. */
export function mountStorageRoutes(
  app: Hono<ApiEnv>,
  metadata: MetadataStore,
  deps: StorageApiDependencies,
): void {
  const { store } = deps;

  app.get('/api/v1/dlq', requireRole(metadata, 'analyst'), async (c) => {
    const query = ListQuery.safeParse(c.req.query());
    if (!query.success) return apiError(c, 400, 'invalid_request', issuesText(query.error));
    const { total, entries } = await store.listDeadLetters({
      ...filterOf(query.data),
      limit: query.data.limit,
      offset: query.data.offset,
    });
    return c.json({ total, limit: query.data.limit, offset: query.data.offset, entries });
  });

  app.post('/api/v1/dlq/replay', requireRole(metadata, 'analyst'), async (c) => {
    const body = Filter.safeParse((await c.req.json().catch(() => ({}))) ?? {});
    if (!body.success) return apiError(c, 400, 'invalid_request', issuesText(body.error));
    const result = await store.replayDeadLetters(filterOf(body.data), (entries) =>
      renormalize(deps.pipeline, entries),
    );
    return c.json(result);
  });

  app.delete('/api/v1/dlq', requireRole(metadata, 'admin'), async (c) => {
    const query = Filter.safeParse(c.req.query());
    if (!query.success) return apiError(c, 400, 'invalid_request', issuesText(query.error));
    return c.json({ purged: await store.purgeDeadLetters(filterOf(query.data)) });
  });

  app.get('/api/v1/storage', requireRole(metadata, 'admin'), async (c) =>
    c.json({
      ...(await store.stats()),
      consistency: await store.verifyColdTier(),
      files: await store.coldFiles(),
    }),
  );

  app.post('/api/v1/export', requireRole(metadata, 'admin'), async (c) => {
    const body = ExportRequest.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return apiError(c, 400, 'invalid_request', issuesText(body.error));
    const nowMs = Date.now();
    let range: ExportRange;
    try {
      range = exportRange(body.data, nowMs);
    } catch (error) {
      return apiError(c, 400, 'invalid_request', (error as Error).message);
    }
    const name = body.data.name ?? `export-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}`;
    const outDir = path.join(deps.dataDir, EXPORTS_DIR, name);
    try {
      const manifest = await exportEvents(store, { ...range, outDir });
      return c.json({ path: outDir, manifest });
    } catch (error) {
      if ((error as Error).message.includes('is not empty')) {
        return apiError(c, 409, 'conflict', `an export named ${name} exists already`);
      }
      throw error;
    }
  });
}

function filterOf(input: { sourcetype?: string; reason?: string }): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  if (input.sourcetype) filter.sourcetype = input.sourcetype;
  if (input.reason) filter.reason = input.reason;
  return filter;
}

/**
 * Normalizes dead-letter entries again through the worker pool and returns
 * the ids of those that now normalize. The worker output does not carry
 * entry ids, so entries that still fail are matched by receipt time and raw text.
 */
export async function renormalize(
  pipeline: Pick<IngestPipeline, 'normalizeOnly'>,
  entries: DeadLetterEntry[],
): Promise<{ batch: ColumnBatch; replayed: string[] }> {
  const result = await pipeline.normalizeOnly(entries.map(toWorkerEvent));
  const stillFailing = new Map<string, number>();
  for (const entry of result.deadLetters) {
    const key = `${entry.received_at}\u0000${entry.raw}`;
    stillFailing.set(key, (stillFailing.get(key) ?? 0) + 1);
  }
  const replayed: string[] = [];
  for (const entry of entries) {
    const key = `${entry.received_at}\u0000${entry.raw}`;
    const left = stillFailing.get(key) ?? 0;
    if (left > 0) stillFailing.set(key, left - 1);
    else replayed.push(entry.id);
  }
  return { batch: result.batch, replayed };
}

function toWorkerEvent(entry: DeadLetterEntry): WorkerEvent {
  let json = false;
  try {
    const parsed: unknown = JSON.parse(entry.raw);
    json = parsed !== null && typeof parsed === 'object';
  } catch {
    json = false;
  }
  return {
    raw: entry.raw,
    json,
    host: entry.host ?? '',
    source: entry.source ?? '',
    sourcetype: entry.sourcetype ?? '',
    index: entry.index ?? 'main',
    tokenId: entry.token_id ?? '',
    ...(entry.channel ? { channel: entry.channel } : {}),
    receivedAt: entry.received_at,
    ...(entry.event_time !== null ? { time: entry.event_time } : {}),
  };
}

export interface ExportRange {
  earliestMs?: number;
  latestMs?: number;
  query?: string;
  ids?: (source: string) => { sql: string; params: unknown[] };
}

/**
 * Resolves an export's time range and compiles its optional query into an
 * id filter. Times are relative (`-24h`), ISO 8601 or epoch milliseconds,
 * and `0` means no start. Only event searches qualify, not aggregations.
 */
export function exportRange(
  input: { earliest?: string | number; latest?: string | number; query?: string },
  nowMs: number,
): ExportRange {
  const range: ExportRange = {};
  const resolve = (value: string | number | undefined, name: string) => {
    if (value === undefined || value === '' || String(value) === '0') return undefined;
    const ms = parseRelativeTime(String(value), nowMs);
    if (ms === undefined) throw new Error(`invalid ${name} time ${JSON.stringify(value)}`);
    return ms;
  };
  const earliestMs = resolve(input.earliest, 'earliest');
  const latestMs = resolve(input.latest, 'latest');
  if (earliestMs !== undefined) range.earliestMs = earliestMs;
  if (latestMs !== undefined) range.latestMs = latestMs;
  const text = input.query?.trim();
  if (text) {
    const parsed = parseQuery(text);
    if (!parsed.ast || parsed.errors.length > 0) {
      throw new Error(`invalid query: ${parsed.errors[0]?.message ?? 'syntax error'}`);
    }
    const ast = parsed.ast;
    // The snapshot of an export contains internal indexes, which a query covers only when it
    // names one, as a search does.
    const compileFor = (source: string) =>
      compileQuery(ast, {
        source,
        nowMs,
        limit: Number.MAX_SAFE_INTEGER,
        hideInternalIndexes: true,
        ...range,
      });
    let probe: ReturnType<typeof compileQuery>;
    try {
      probe = compileFor('"events"');
    } catch (error) {
      if (error instanceof QueryError) throw new Error(`invalid query: ${error.message}`);
      throw error;
    }
    if (probe.kind !== 'events')
      throw new Error('an export query must select events, not aggregate');
    if (probe.earliestMs !== undefined) range.earliestMs = probe.earliestMs;
    if (probe.latestMs !== undefined) range.latestMs = probe.latestMs;
    range.query = text;
    range.ids = (source) => {
      const compiled = compileFor(source);
      return { sql: compiled.sql, params: compiled.params };
    };
  }
  return range;
}
