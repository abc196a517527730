export { type HecServer, type HecServerOptions, startHecServer } from './hec/index.js';
export type { HecEvent, HecSink, HecToken, HecTokenStore } from './hec/types.js';
export { IngestPipeline, type PipelineOptions, type PipelineStats } from './pipeline.js';
