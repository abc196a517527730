/** Public API of the Splunk-compatible HTTP Event Collector listener. */

export { HEC_CODES, HecError } from './codes.js';
export {
  type EnvelopeContext,
  type EnvelopeDefaults,
  type EnvelopeParseResult,
  parseEnvelopes,
  parseHecTime,
} from './envelopes.js';
export { MemorySink, MemoryTokenStore } from './memory.js';
export type { RateLimit } from './rate-limit.js';
export { parseRawBody } from './raw.js';
export {
  type HecRequestCount,
  type HecServer,
  type HecServerOptions,
  type HecStats,
  startHecServer,
} from './server.js';
export * from './types.js';
export { loadUws } from './uws.js';
