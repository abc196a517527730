#!/usr/bin/env node
/**
 * Entry point of the appliance: `npm start` or `node dist/engine/main.js`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMappingFile, MappingFileError } from '../ingest/normalize/index.js';
import { startAppliance } from './appliance.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, { uiDir: path.resolve(here, '..', 'ui') });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`telhawk: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const mappingsFile = process.env.TELHAWK_MAPPINGS_FILE;
  if (mappingsFile) {
    try {
      const sourcetypes = loadMappingFile(mappingsFile);
      logger.info({ mappingsFile, sourcetypes }, 'loaded the sourcetype mapping file');
    } catch (error) {
      if (!(error instanceof MappingFileError)) throw error;
      process.stderr.write(`telhawk: invalid TELHAWK_MAPPINGS_FILE: ${error.message}\n`);
      process.exit(2);
    }
  }
  let appliance: Awaited<ReturnType<typeof startAppliance>>;
  try {
    appliance = await startAppliance(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'TelHawk failed to start');
    process.exit(1);
  }
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'shutting down');
    appliance.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
