import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { type HecServer, IngestPipeline, startHecServer } from '../ingest/index.js';
import {
  EventStore,
  GroupCommitter,
  MetadataStore,
  maintenanceOptions,
  StorageMaintenance,
} from '../storage/index.js';
import { createApiApp } from './api/server.js';
import { AuditLog } from './audit.js';
import type { Config } from './config.js';
import { createMetrics, LatencyMetrics } from './metrics.js';
import { QueryService } from './query-service.js';

export interface Appliance {
  hecPort: number;
  httpPort: number;
  stop(): Promise<void>;
}

/** Files in the data folder that hold the first-start credentials, mode 0600. */
export const ADMIN_PASSWORD_FILE = 'admin-password.txt';
export const HEC_TOKEN_FILE = 'hec-token.txt';

/**
 * Starts the appliance: stores, ingest pipeline, HEC listener and the REST
 * API with the UI. Resolves once both listeners accept connections.
 */
export async function startAppliance(config: Config, logger: Logger): Promise<Appliance> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const metadata = new MetadataStore(config.dataDir);
  bootstrapCredentials(metadata, config, logger);

  const storageLogger = logger.child({ component: 'storage' });
  const store = await EventStore.open(config.dataDir, {
    logger: storageLogger,
    memoryLimitMiB: config.duckdbMemoryLimitMiB,
    ...(config.faultFile ? { faultFile: config.faultFile } : {}),
  });
  const maintenance = new StorageMaintenance(store, maintenanceOptions(config, storageLogger));
  const latency = new LatencyMetrics();
  const committer = new GroupCommitter(
    store,
    { maxDelayMs: config.commitMaxDelayMs, maxEvents: config.commitMaxEvents },
    latency.observeCommit,
  );
  const pipeline = new IngestPipeline({
    committer,
    logger: logger.child({ component: 'ingest' }),
    workers: config.workers,
    maxQueuedEvents: config.maxQueuedEvents,
    onNormalized: latency.observeNormalize,
    rawData: config.rawData,
    backlog: () => store.unloadedRows,
    queryable: () => store.whenLoaded(),
  });
  const queries = new QueryService(store, { timeoutMs: config.queryTimeoutSeconds * 1000 });
  const audit = new AuditLog(committer);

  let ready = false;
  let hec: HecServer | undefined;
  const metrics = createMetrics({ pipeline, committer, hec: () => hec, store }, latency);
  const app = createApiApp({
    metadata,
    queries,
    audit,
    metrics,
    logger: logger.child({ component: 'api' }),
    uiDir: config.uiDir,
    sessionLifetimeMs: config.sessionLifetimeHours * 3_600_000,
    isReady: () => ready,
    storage: { store, pipeline, dataDir: config.dataDir },
  });

  hec = await startHecServer({
    host: config.bindAddress,
    port: config.hecPort,
    tokens: { lookup: (secret) => metadata.lookupHecToken(secret) },
    sink: pipeline,
    logger: logger.child({ component: 'hec' }),
    maxContentLength: config.hecMaxContentLength,
    ...(config.hecRateLimitPerIp
      ? {
          rateLimitPerIp: {
            ratePerSec: config.hecRateLimitPerIp,
            burst: config.hecRateLimitPerIp * 2,
          },
        }
      : {}),
    ...(config.hecRateLimitPerToken
      ? {
          rateLimitPerToken: {
            ratePerSec: config.hecRateLimitPerToken,
            burst: config.hecRateLimitPerToken * 2,
          },
        }
      : {}),
    ...(config.hecCorsOrigins ? { corsOrigins: config.hecCorsOrigins } : {}),
    ...(config.hecReplyHeaders ? { replyHeaders: config.hecReplyHeaders } : {}),
    ...(config.hecChannelCookie ? { channelCookie: config.hecChannelCookie } : {}),
  });
  const http = await listen(app.fetch, config.bindAddress, config.httpPort);
  const httpPort = (http.address() as AddressInfo).port;
  ready = true;
  maintenance.start();
  logger.info(
    { hecPort: hec.port, httpPort, dataDir: config.dataDir, bindAddress: config.bindAddress },
    'TelHawk is ready',
  );

  const sessionSweep = setInterval(() => metadata.deleteExpiredSessions(), 3_600_000);
  sessionSweep.unref();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      ready = false;
      clearInterval(sessionSweep);
      logger.info('stopping: closing listeners');
      queries.cancelAll();
      await hec?.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await committer.drain();
      await maintenance.stop();
      await pipeline.close();
      await store.close();
      metadata.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { hecPort: hec.port, httpPort, stop };
}

function listen(
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
  hostname: string,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once('error', reject);
  });
}

/**
 * On first start, creates the admin user and a HEC token, from
 * TELHAWK_ADMIN_PASSWORD and TELHAWK_HEC_TOKEN when set or random otherwise,
 * prints them once and writes them to owner-only files in the data folder.
 */
function bootstrapCredentials(metadata: MetadataStore, config: Config, logger: Logger): void {
  const lines: string[] = [];
  if (metadata.countUsers() === 0) {
    const password = config.adminPassword ?? crypto.randomBytes(15).toString('base64url');
    metadata.createUser('admin', password, 'admin');
    writeSecretFile(path.join(config.dataDir, ADMIN_PASSWORD_FILE), password);
    lines.push(`  admin password: ${password}`);
    logger.info({ username: 'admin' }, 'created the admin user');
  }
  if (metadata.listHecTokens().length === 0) {
    const { secret } = metadata.createHecToken({ name: 'default', secret: config.hecToken });
    writeSecretFile(path.join(config.dataDir, HEC_TOKEN_FILE), secret);
    lines.push(`  HEC token:      ${secret}`);
    logger.info({ tokenName: 'default' }, 'created the default HEC token');
  }
  if (lines.length > 0) {
    process.stdout.write(
      `\nTelHawk first start. These are shown once and saved, readable only by you, in ${config.dataDir}:\n${lines.join('\n')}\n\n`,
    );
  }
}

function writeSecretFile(file: string, secret: string): void {
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
