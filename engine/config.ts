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
  /** Where the built UI is served from. */
  uiDir: z.string().min(1),
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
  uiDir: 'TELHAWK_UI_DIR',
};

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
    uiDir: defaults.uiDir,
  };
  for (const [key, name] of Object.entries(ENVIRONMENT)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]) as keyof Config;
      return `${ENVIRONMENT[key] ?? key}=${JSON.stringify(raw[key] ?? null)}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}
