/**
 * Lookup tables for the `lookup` stage: analysts upload CSV, everyone may list them, analysts
 * delete them. A table is stored as normalized CSV under `<data>/lookups/<name>.csv` and read by
 * DuckDB's `read_csv` on that path; the name is checked against a strict pattern before it
 * becomes part of the path, so no user text reaches SQL except through that check.
 */

import fs from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { LookupTable } from '../../query-lang/index.js';
import type { MetadataStore } from '../../storage/metadata.js';
import type { AuditLog } from '../audit.js';
import type { QueryService } from '../query-service.js';
import { type ApiEnv, requireRole } from './auth.js';
import { apiError, issuesText } from './errors.js';

export const LOOKUP_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_COLUMNS = 64;

const Upload = z.object({
  name: z.string().regex(LOOKUP_NAME, 'a name is a letter then letters, digits or _, at most 64'),
  csv: z.string().min(1).max(1_000_000),
});

/** Parses CSV (RFC 4180: commas, double quotes, "" inside quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (quoted) throw new Error('a quoted field has no closing quote');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((cells) => !(cells.length === 1 && cells[0] === ''));
}

/**
 * Checks the parsed rows of a lookup CSV: a header of unique column names, then rows of as many
 * fields. Returns the columns and rows, or the problem as a message.
 */
export function lookupTableOf(rows: string[][]): { columns: string[]; data: string[][] } | string {
  const [header, ...data] = rows;
  if (header === undefined || data.length === 0) {
    return 'the CSV needs a header row and at least one row';
  }
  const columns = header.map((cell) => cell.trim());
  const bad = columns.find((column) => !COLUMN_NAME.test(column));
  if (bad !== undefined || columns.length > MAX_COLUMNS) {
    return `column names are letters, digits and _ starting with a letter or _ (at most ${MAX_COLUMNS}); found ${JSON.stringify(bad ?? columns.length)}`;
  }
  if (new Set(columns.map((column) => column.toLowerCase())).size !== columns.length) {
    return 'column names must be unique';
  }
  const ragged = data.findIndex((cells) => cells.length !== columns.length);
  if (ragged >= 0) {
    return `row ${ragged + 2} has ${data[ragged]!.length} fields, the header ${columns.length}`;
  }
  return { columns, data };
}

function csvCell(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Where a lookup's CSV lives; `name` must match `LOOKUP_NAME`. */
export function lookupPath(dataDir: string, name: string): string {
  if (!LOOKUP_NAME.test(name)) throw new Error(`invalid lookup name ${JSON.stringify(name)}`);
  return path.join(dataDir, 'lookups', `${name.toLowerCase()}.csv`);
}

/** Resolves lookup names in queries to `read_csv` over the stored file. */
export function lookupResolver(
  metadata: MetadataStore,
  dataDir: string,
): (name: string) => LookupTable | undefined {
  return (name) => {
    if (!LOOKUP_NAME.test(name)) return undefined;
    const info = metadata.getLookup(name);
    if (info === undefined) return undefined;
    const file = lookupPath(dataDir, info.name);
    const types = info.columns.map((column) => `${sqlString(column)}: 'VARCHAR'`).join(', ');
    return {
      relation: `read_csv(${sqlString(file)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${types}})`,
      columns: info.columns,
    };
  };
}

export function registerLookupRoutes(
  app: Hono<ApiEnv>,
  deps: {
    metadata: MetadataStore;
    queries: QueryService;
    audit: AuditLog;
    dataDir: string | undefined;
  },
): void {
  const { metadata, queries, audit, dataDir } = deps;
  if (dataDir === undefined) return;
  queries.useLookups(lookupResolver(metadata, dataDir));

  app.get('/api/v1/lookups', requireRole(metadata, 'viewer'), (c) =>
    c.json({ lookups: metadata.listLookups() }),
  );

  app.post('/api/v1/lookups', requireRole(metadata, 'analyst'), async (c) => {
    const body = Upload.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) {
      return apiError(
        c,
        400,
        'invalid_request',
        `invalid lookup upload: ${issuesText(body.error)}`,
      );
    }
    let rows: string[][];
    try {
      rows = parseCsv(body.data.csv);
    } catch (error) {
      return apiError(c, 400, 'invalid_csv', `invalid CSV: ${(error as Error).message}`);
    }
    const table = lookupTableOf(rows);
    if (typeof table === 'string') return apiError(c, 400, 'invalid_csv', table);
    const { columns, data } = table;
    const normalized = [columns, ...data].map((cells) => cells.map(csvCell).join(',')).join('\n');
    const replaced = metadata.getLookup(body.data.name) !== undefined;
    const file = lookupPath(dataDir, body.data.name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${normalized}\n`);
    fs.renameSync(temporary, file);
    const session = c.get('session');
    const info = metadata.saveLookup(
      body.data.name,
      columns,
      data.length,
      Buffer.byteLength(normalized),
      session.userId,
    );
    await audit.lookupChange({
      actor: session.username,
      action: replaced ? 'replace' : 'create',
      lookupId: info.id,
      lookupName: info.name,
      columns: info.columns,
      rowCount: info.rowCount,
    });
    return c.json({ lookup: info }, 201);
  });

  app.delete('/api/v1/lookups/:name', requireRole(metadata, 'analyst'), async (c) => {
    const name = c.req.param('name');
    const info = LOOKUP_NAME.test(name) ? metadata.getLookup(name) : undefined;
    if (info === undefined) return apiError(c, 404, 'not_found', `no lookup named ${name}`);
    metadata.deleteLookup(info.name);
    fs.rmSync(lookupPath(dataDir, info.name), { force: true });
    await audit.lookupChange({
      actor: c.get('session').username,
      action: 'delete',
      lookupId: info.id,
      lookupName: info.name,
      columns: info.columns,
      rowCount: info.rowCount,
    });
    return c.body(null, 204);
  });
}
