export {
  COLD_DIR,
  COLD_FILES_TABLE,
  type ColdFile,
  EXPORTS_DIR,
  parquetOptions,
  sqlString,
} from './cold-tier.js';
export { DEAD_LETTER_TABLE } from './dead-letter.js';
export {
  type CompactionOptions,
  type CompactionResult,
  type DeadLetterFilter,
  type EventLocation,
  EventStore,
  type EventStoreOptions,
  type NarrowedView,
  type QueryResult,
  type ResultRow,
  type RetentionOptions,
  type RetentionResult,
  type RolloverResult,
  type Snapshot,
  type SnapshotFilter,
  type StoreLogger,
  snapshotView,
  type TierStats,
  toJsonSafe,
  type ViewOptions,
  writeSidecars,
} from './event-store.js';
export { type ExportManifest, type ExportOptions, exportEvents } from './export.js';
export { type GroupCommitOptions, GroupCommitter } from './group-commit.js';
export {
  type MaintenanceOptions,
  maintenanceOptions,
  StorageMaintenance,
  type StorageSettings,
} from './maintenance.js';
export {
  MetadataStore,
  type NewHecToken,
  ROLES,
  type Role,
  type Session,
  type User,
} from './metadata.js';
export { ROW_LOG_DIR, rowLogText } from './row-log.js';
export { rowsFileOf } from './row-store.js';
export type { IndexedMatches } from './term-index.js';
export { termsFileOf } from './term-index.js';
export { tokensFileOf } from './token-index.js';
export type { ColumnBatch, ConnectionHost, DeadLetterEntry, HecToken, RowText } from './types.js';
