export { DEAD_LETTER_TABLE } from './dead-letter.js';
export { EventStore, type QueryResult, type ResultRow, toJsonSafe } from './event-store.js';
export { type GroupCommitOptions, GroupCommitter } from './group-commit.js';
export {
  MetadataStore,
  type NewHecToken,
  ROLES,
  type Role,
  type Session,
  type User,
} from './metadata.js';
export type { ColumnBatch, DeadLetterEntry, HecToken } from './types.js';
