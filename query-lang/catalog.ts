/**
 * The field catalog: the single list of promoted columns of the event store.
 *
 * It drives the DuckDB `events` table, the Parquet schema of the cold tier,
 * the row builder that turns a normalized OCSF event into column values, and
 * the query compiler's mapping from field names to SQL. Paths that are not
 * promoted are read from the stored OCSF JSON (`ocsf` column) at query time.
 *
 * Pure TypeScript with no Node-only imports: the UI bundles it.
 */

/** SQL type of a promoted column, as DuckDB spells it. */
export type ColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'TIMESTAMP';

/** Origin of a column's value. */
export type ColumnSource =
  /** An OCSF attribute path, dotted, without a leading dot. */
  | { kind: 'ocsf'; path: string }
  /** Metadata of the HEC request that carried the event. */
  | { kind: 'hec'; key: HecMetadataKey }
  /** Set by the store itself. */
  | { kind: 'store'; key: 'id' | 'ocsf' | 'raw' | 'ingest_time' };

export type HecMetadataKey =
  | 'host'
  | 'source'
  | 'sourcetype'
  | 'index'
  | 'fields'
  | 'token_id'
  | 'channel';

export interface ColumnSpec {
  /** Column name in DuckDB and Parquet. */
  name: string;
  type: ColumnType;
  source: ColumnSource;
  description: string;
}

const ocsf = (path: string): ColumnSource => ({ kind: 'ocsf', path });
const hec = (key: HecMetadataKey): ColumnSource => ({ kind: 'hec', key });

/**
 * Promoted columns in table order. Changing this list changes the storage
 * schema: existing hot tables and cold files keep the old columns, so only
 * append to it.
 */
export const COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'id',
    type: 'VARCHAR',
    source: { kind: 'store', key: 'id' },
    description: 'Event id, time-ordered',
  },
  { name: 'time', type: 'TIMESTAMP', source: ocsf('time'), description: 'Event time (UTC)' },
  { name: 'class_uid', type: 'INTEGER', source: ocsf('class_uid'), description: 'OCSF class' },
  {
    name: 'category_uid',
    type: 'INTEGER',
    source: ocsf('category_uid'),
    description: 'OCSF category',
  },
  {
    name: 'activity_id',
    type: 'INTEGER',
    source: ocsf('activity_id'),
    description: 'Activity within the class',
  },
  {
    name: 'type_uid',
    type: 'BIGINT',
    source: ocsf('type_uid'),
    description: 'class_uid * 100 + activity_id',
  },
  {
    name: 'severity_id',
    type: 'INTEGER',
    source: ocsf('severity_id'),
    description: 'Severity (0-6, 99)',
  },
  {
    name: 'status_id',
    type: 'INTEGER',
    source: ocsf('status_id'),
    description: 'Outcome: 1 success, 2 failure',
  },
  {
    name: 'class_name',
    type: 'VARCHAR',
    source: ocsf('class_name'),
    description: 'OCSF class caption',
  },
  { name: 'message', type: 'VARCHAR', source: ocsf('message'), description: 'Event message' },
  {
    name: 'actor_user',
    type: 'VARCHAR',
    source: ocsf('actor.user.name'),
    description: 'Acting user name',
  },
  {
    name: 'user_name',
    type: 'VARCHAR',
    source: ocsf('user.name'),
    description: 'Target user name',
  },
  {
    name: 'src_ip',
    type: 'VARCHAR',
    source: ocsf('src_endpoint.ip'),
    description: 'Source IP address',
  },
  {
    name: 'src_port',
    type: 'INTEGER',
    source: ocsf('src_endpoint.port'),
    description: 'Source port',
  },
  {
    name: 'dst_ip',
    type: 'VARCHAR',
    source: ocsf('dst_endpoint.ip'),
    description: 'Destination IP address',
  },
  {
    name: 'dst_port',
    type: 'INTEGER',
    source: ocsf('dst_endpoint.port'),
    description: 'Destination port',
  },
  {
    name: 'device_hostname',
    type: 'VARCHAR',
    source: ocsf('device.hostname'),
    description: 'Reporting device host name',
  },
  {
    name: 'device_ip',
    type: 'VARCHAR',
    source: ocsf('device.ip'),
    description: 'Reporting device IP',
  },
  {
    name: 'process_name',
    type: 'VARCHAR',
    source: ocsf('process.name'),
    description: 'Process name',
  },
  { name: 'process_pid', type: 'INTEGER', source: ocsf('process.pid'), description: 'Process id' },
  {
    name: 'process_cmd_line',
    type: 'VARCHAR',
    source: ocsf('process.cmd_line'),
    description: 'Process command line',
  },
  { name: 'file_path', type: 'VARCHAR', source: ocsf('file.path'), description: 'File path' },
  {
    name: 'http_method',
    type: 'VARCHAR',
    source: ocsf('http_request.http_method'),
    description: 'HTTP method',
  },
  {
    name: 'url',
    type: 'VARCHAR',
    source: ocsf('http_request.url.url_string'),
    description: 'Requested URL',
  },
  {
    name: 'http_status',
    type: 'INTEGER',
    source: ocsf('http_response.code'),
    description: 'HTTP status code',
  },
  {
    name: 'dns_query',
    type: 'VARCHAR',
    source: ocsf('query.hostname'),
    description: 'DNS query name',
  },
  {
    name: 'finding_title',
    type: 'VARCHAR',
    source: ocsf('finding_info.title'),
    description: 'Finding title',
  },
  {
    name: 'api_operation',
    type: 'VARCHAR',
    source: ocsf('api.operation'),
    description: 'API operation',
  },
  {
    name: 'product_name',
    type: 'VARCHAR',
    source: ocsf('metadata.product.name'),
    description: 'Product name',
  },
  {
    name: 'vendor_name',
    type: 'VARCHAR',
    source: ocsf('metadata.product.vendor_name'),
    description: 'Product vendor',
  },
  { name: 'host', type: 'VARCHAR', source: hec('host'), description: 'HEC host' },
  { name: 'source', type: 'VARCHAR', source: hec('source'), description: 'HEC source' },
  { name: 'sourcetype', type: 'VARCHAR', source: hec('sourcetype'), description: 'HEC sourcetype' },
  { name: 'index', type: 'VARCHAR', source: hec('index'), description: 'HEC index' },
  {
    name: 'fields',
    type: 'VARCHAR',
    source: hec('fields'),
    description: 'HEC indexed fields as JSON',
  },
  {
    name: 'token_id',
    type: 'VARCHAR',
    source: hec('token_id'),
    description: 'Id of the HEC token used',
  },
  {
    name: 'channel',
    type: 'VARCHAR',
    source: hec('channel'),
    description: 'HEC channel, when given',
  },
  {
    name: 'ingest_time',
    type: 'TIMESTAMP',
    source: { kind: 'store', key: 'ingest_time' },
    description: 'Time the appliance received the event',
  },
  {
    name: 'ocsf',
    type: 'VARCHAR',
    source: { kind: 'store', key: 'ocsf' },
    description: 'Whole OCSF event as JSON text',
  },
  {
    name: 'raw',
    type: 'VARCHAR',
    source: { kind: 'store', key: 'raw' },
    description: 'Event text as received',
  },
];

/** Column names by name, for lookups. */
export const COLUMN_BY_NAME: ReadonlyMap<string, ColumnSpec> = new Map(
  COLUMNS.map((column) => [column.name, column]),
);

/** Column names by the OCSF path they are promoted from. */
export const COLUMN_BY_OCSF_PATH: ReadonlyMap<string, ColumnSpec> = new Map(
  COLUMNS.flatMap((column) =>
    column.source.kind === 'ocsf' ? [[column.source.path, column] as const] : [],
  ),
);

/**
 * Short field names analysts type. Each resolves to one or more promoted
 * columns; with several, the first non-null value counts (SQL `coalesce`).
 */
export const ALIASES: Readonly<Record<string, readonly string[]>> = {
  user: ['user_name', 'actor_user'],
  actor: ['actor_user'],
  src_ip: ['src_ip'],
  src: ['src_ip'],
  clientip: ['src_ip'],
  sourceipaddress: ['src_ip'],
  dst_ip: ['dst_ip'],
  dest_ip: ['dst_ip'],
  dst: ['dst_ip'],
  dest: ['dst_ip'],
  src_port: ['src_port'],
  dst_port: ['dst_port'],
  dest_port: ['dst_port'],
  hostname: ['device_hostname'],
  process: ['process_name'],
  pid: ['process_pid'],
  cmd: ['process_cmd_line'],
  file: ['file_path'],
  url: ['url'],
  query: ['dns_query'],
  method: ['http_method'],
  status: ['http_status'],
  title: ['finding_title'],
  signature: ['finding_title'],
  operation: ['api_operation'],
  eventname: ['api_operation'],
  product: ['product_name'],
  vendor: ['vendor_name'],
  class: ['class_uid'],
  severity: ['severity_id'],
  _time: ['time'],
  _raw: ['raw'],
  _indextime: ['ingest_time'],
};

/**
 * Field names of Splunk's add-ons for values that are not promoted columns, each resolving to
 * its OCSF path, such as the Windows event ID.
 */
export const PATH_ALIASES: Readonly<Record<string, string>> = {
  eventcode: 'metadata.event_code',
  eventid: 'metadata.event_code',
  // CloudTrail's record fields, by the names of Splunk's AWS add-on.
  errorcode: 'api.response.error',
  errormessage: 'api.response.message',
  eventsource: 'api.service.name',
  awsregion: 'cloud.region',
  recipientaccountid: 'cloud.account.uid',
  requestid: 'api.request.uid',
  useragent: 'http_request.user_agent',
  http_user_agent: 'http_request.user_agent',
};

/**
 * Splunk's date fields, taken from the event time in UTC: hour, minute, second, day of the
 * month and year as numbers, and the month and weekday as lowercase English names.
 */
export const DATE_FIELDS: Readonly<Record<string, { sql: string; type: 'number' | 'string' }>> = {
  date_hour: { sql: 'hour', type: 'number' },
  date_minute: { sql: 'minute', type: 'number' },
  date_second: { sql: 'second', type: 'number' },
  date_mday: { sql: 'day', type: 'number' },
  date_year: { sql: 'year', type: 'number' },
  date_month: { sql: 'monthname', type: 'string' },
  date_wday: { sql: 'dayname', type: 'string' },
};

/** Columns that free-text search looks in. */
export const FREE_TEXT_COLUMNS: readonly string[] = ['raw', 'message'];

/**
 * Columns with a term index in the cold tier: the users, addresses and host names that needle
 * searches look for. Equality on them reads only the rows the index names.
 */
export const INDEXED_COLUMNS: readonly string[] = [
  'user_name',
  'actor_user',
  'src_ip',
  'dst_ip',
  'device_ip',
  'device_hostname',
  'host',
];

/**
 * Key families of the term index: each indexed column, and each alias of several indexed
 * columns (`user`) as the columns joined by `|`. An alias key contains the first non-null value,
 * which is what a search for the alias compares.
 */
export const TERM_KEYS: readonly string[] = [
  ...INDEXED_COLUMNS,
  ...new Set(
    Object.values(ALIASES)
      .filter((columns) => columns.length > 1 && columns.every((c) => INDEXED_COLUMNS.includes(c)))
      .map((columns) => columns.join('|')),
  ),
];

/** Name of the event table in the hot tier. */
export const EVENTS_TABLE = 'events';

/**
 * Columns of a storage snapshot's keyed source that locate each event: the cold file it is in
 * (NULL for the hot table) and its row there (the hot table's rowid or the file's row number).
 */
export const LOCATION_FILE_COLUMN = '__loc_file';
export const LOCATION_ROW_COLUMN = '__loc_row';

/** Returns the `CREATE TABLE` statement for the event table with every promoted column. */
export function createEventsTableSql(table: string = EVENTS_TABLE): string {
  const columns = COLUMNS.map((column) => `  "${column.name}" ${column.type}`).join(',\n');
  return `CREATE TABLE IF NOT EXISTS "${table}" (\n${columns}\n)`;
}
