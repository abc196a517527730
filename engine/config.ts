import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();

const ConfigSchema = z.object({
  dataDir: z.string().min(1),
  hecPort: port,
  httpPort: port,
  /** Address both listeners bind to. */
  bindAddress: z.string().min(1),
  adminPassword: z.string().min(8, 'must be at least 8 characters').optional(),
  hecToken: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  workers: positiveInt.optional(),
  commitMaxDelayMs: positiveInt,
  commitMaxEvents: positiveInt,
  maxQueuedEvents: positiveInt,
  hecMaxContentLength: positiveInt,
  sessionLifetimeHours: positiveInt,
  queryTimeoutSeconds: positiveInt,
  duckdbMemoryLimitMiB: positiveInt,
  /** HEC requests per second per client address; off when absent. */
  hecRateLimitPerIp: positiveInt.optional(),
  /** HEC requests per second per token; off when absent. */
  hecRateLimitPerToken: positiveInt.optional(),
  /** Origins allowed to send to HEC from a browser, comma-separated (`*` wildcards, `!` excludes). */
  hecCorsOrigins: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    )
    .optional(),
  /** Static headers on every HEC reply, as `Name=value` pairs separated by commas. */
  hecReplyHeaders: z
    .string()
    .regex(
      /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+=[^,\r\n]*)(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+=[^,\r\n]*)*\s*$/,
      'use Name=value pairs separated by commas, e.g. X-Frame-Options=DENY',
    )
    .transform((text) =>
      Object.fromEntries(
        text.split(',').map((pair) => {
          const equals = pair.indexOf('=');
          return [pair.slice(0, equals).trim(), pair.slice(equals + 1).trim()];
        }),
      ),
    )
    .optional(),
  /** Cookie that HEC sets to the channel on replies to requests with one, for sticky balancers. */
  hecChannelCookie: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a cookie name (letters, digits, -_.)')
    .optional(),
  /** Folder of the built UI that the API serves. */
  uiDir: z.string().min(1),
  /** Hot rows ingested longer ago than this move to the cold tier; fractions allowed. */
  rolloverAgeMinutes: z.coerce.number().nonnegative(),
  /** Pause between storage maintenance rounds (rollover, compaction, retention). */
  rolloverIntervalSeconds: z.coerce.number().positive(),
  /** Cold files below this size are merged into files of about this size. */
  compactionTargetMb: z.coerce.number().positive(),
  compactionMinFiles: z.coerce.number().int().min(2),
  /** Maximum event age in the cold tier, any index; 0 keeps data forever. */
  retentionDays: z.coerce.number().nonnegative(),
  /** Per-index maximum ages, as `main=30,_audit=365`. */
  retentionIndexDays: z
    .string()
    .regex(
      /^\s*([^=,\s]+\s*=\s*\d+(\.\d+)?\s*(,\s*|$))*$/,
      'use index=days pairs, e.g. main=30,_audit=365',
    )
    .optional(),
  /** Maximum size of the cold tier in megabytes; 0 for no limit. */
  diskBudgetMb: z.coerce.number().nonnegative(),
  /** Keeps each event's original text in the OCSF `raw_data` attribute as well as in `raw`. */
  rawData: z
    .enum(['true', 'false', '1', '0'], { message: 'use true or false' })
    .transform((value) => value === 'true' || value === '1'),
  /** Test hook: while this file exists, storage commits fail. */
  faultFile: z.string().min(1).optional(),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Environment variables and the config keys they set. */
const ENVIRONMENT: Record<keyof Config, string> = {
  dataDir: 'TELHAWK_DATA_DIR',
  hecPort: 'TELHAWK_HEC_PORT',
  httpPort: 'TELHAWK_HTTP_PORT',
  bindAddress: 'TELHAWK_BIND_ADDRESS',
  adminPassword: 'TELHAWK_ADMIN_PASSWORD',
  hecToken: 'TELHAWK_HEC_TOKEN',
  logLevel: 'TELHAWK_LOG_LEVEL',
  workers: 'TELHAWK_WORKERS',
  commitMaxDelayMs: 'TELHAWK_COMMIT_MAX_DELAY_MS',
  commitMaxEvents: 'TELHAWK_COMMIT_MAX_EVENTS',
  maxQueuedEvents: 'TELHAWK_MAX_QUEUED_EVENTS',
  hecMaxContentLength: 'TELHAWK_HEC_MAX_CONTENT_LENGTH',
  sessionLifetimeHours: 'TELHAWK_SESSION_LIFETIME_HOURS',
  queryTimeoutSeconds: 'TELHAWK_QUERY_TIMEOUT_SECONDS',
  duckdbMemoryLimitMiB: 'TELHAWK_DUCKDB_MEMORY_LIMIT_MB',
  hecRateLimitPerIp: 'TELHAWK_HEC_RATE_LIMIT_PER_IP',
  hecRateLimitPerToken: 'TELHAWK_HEC_RATE_LIMIT_PER_TOKEN',
  hecCorsOrigins: 'TELHAWK_HEC_CORS_ORIGINS',
  hecReplyHeaders: 'TELHAWK_HEC_REPLY_HEADERS',
  hecChannelCookie: 'TELHAWK_HEC_CHANNEL_COOKIE',
  uiDir: 'TELHAWK_UI_DIR',
  rolloverAgeMinutes: 'TELHAWK_ROLLOVER_AGE_MINUTES',
  rolloverIntervalSeconds: 'TELHAWK_ROLLOVER_INTERVAL_SECONDS',
  compactionTargetMb: 'TELHAWK_COMPACTION_TARGET_MB',
  compactionMinFiles: 'TELHAWK_COMPACTION_MIN_FILES',
  retentionDays: 'TELHAWK_RETENTION_DAYS',
  retentionIndexDays: 'TELHAWK_RETENTION_INDEX_DAYS',
  diskBudgetMb: 'TELHAWK_DISK_BUDGET_MB',
  faultFile: 'TELHAWK_FAULT_FILE',
  rawData: 'TELHAWK_RAW_DATA',
};

/** Settings whose values never appear in error messages. */
const SECRET_KEYS: ReadonlySet<string> = new Set(['adminPassword', 'hecToken']);

export class ConfigError extends Error {}

/**
 * Reads the configuration from `TELHAWK_*` environment variables over the
 * embedded defaults, and fails with every invalid setting named.
 */
export function loadConfig(env: NodeJS.ProcessEnv, defaults: { uiDir: string }): Config {
  const raw: Record<string, unknown> = {
    dataDir: path.resolve('var'),
    hecPort: 8088,
    httpPort: 8000,
    bindAddress: '0.0.0.0',
    logLevel: 'info',
    commitMaxDelayMs: 5,
    commitMaxEvents: 5000,
    maxQueuedEvents: 200_000,
    hecMaxContentLength: 1_000_000,
    sessionLifetimeHours: 12,
    queryTimeoutSeconds: 60,
    duckdbMemoryLimitMiB: 512,
    uiDir: defaults.uiDir,
    rolloverAgeMinutes: 60,
    rolloverIntervalSeconds: 60,
    compactionTargetMb: 128,
    compactionMinFiles: 8,
    retentionDays: 0,
    diskBudgetMb: 0,
    rawData: 'false',
  };
  for (const [key, name] of Object.entries(ENVIRONMENT)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]) as keyof Config;
      const value = SECRET_KEYS.has(key) ? '(hidden)' : JSON.stringify(raw[key] ?? null);
      return `${ENVIRONMENT[key] ?? key}=${value}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}
