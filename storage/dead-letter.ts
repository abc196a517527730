import type { ColumnType } from '../query-lang/catalog.js';
import type { DeadLetterEntry } from './types.js';

/** Table of events that could not be normalized, in the hot database. */
export const DEAD_LETTER_TABLE = 'dead_letter';

export const DEAD_LETTER_COLUMNS: readonly { name: keyof DeadLetterEntry; type: ColumnType }[] = [
  { name: 'id', type: 'VARCHAR' },
  { name: 'received_at', type: 'TIMESTAMP' },
  { name: 'reason', type: 'VARCHAR' },
  { name: 'normalizer', type: 'VARCHAR' },
  { name: 'raw', type: 'VARCHAR' },
  { name: 'host', type: 'VARCHAR' },
  { name: 'source', type: 'VARCHAR' },
  { name: 'sourcetype', type: 'VARCHAR' },
  { name: 'index', type: 'VARCHAR' },
  { name: 'token_id', type: 'VARCHAR' },
  { name: 'channel', type: 'VARCHAR' },
  { name: 'event_time', type: 'TIMESTAMP' },
];

export function createDeadLetterTableSql(): string {
  const columns = DEAD_LETTER_COLUMNS.map((column) => `  "${column.name}" ${column.type}`).join(
    ',\n',
  );
  return `CREATE TABLE IF NOT EXISTS "${DEAD_LETTER_TABLE}" (\n${columns}\n)`;
}
