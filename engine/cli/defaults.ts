/**
 * Default endpoints of a local appliance, following the same environment
 * variables as the appliance itself.
 */

export function defaultHecUrl(): string {
  return process.env.TELHAWK_HEC_URL ?? `http://127.0.0.1:${process.env.TELHAWK_HEC_PORT || 8088}`;
}

export function defaultApiUrl(): string {
  return process.env.TELHAWK_URL ?? `http://127.0.0.1:${process.env.TELHAWK_HTTP_PORT || 8000}`;
}
