import { pino } from 'pino';

/**
 * Creates the appliance logger: JSON lines on stdout. HEC tokens, session
 * cookies and passwords are redacted wherever they appear under these keys.
 */
export function createLogger(level: string): pino.Logger {
  return pino({
    level,
    base: { service: 'telhawk' },
    redact: {
      paths: [
        'password',
        'token',
        'secret',
        '*.password',
        '*.token',
        '*.secret',
        'headers.authorization',
        'headers.cookie',
      ],
      censor: '[redacted]',
    },
  });
}
