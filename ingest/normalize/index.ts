/**
 * OCSF normalization of events received over HEC: routing by sourcetype or
 * content, the per-source normalizers, and validation of the result.
 */
import { route } from './router.js';
import type { NormalizeResult, RawEvent } from './types.js';
import { validateEvent } from './validate.js';

export type { NormalizeResult, OcsfEvent, RawEvent } from './types.js';
export { validateEvent } from './validate.js';

/**
 * Normalizes one event to OCSF 1.1.0. Pure and synchronous. Never throws:
 * input that cannot be parsed and events that fail validation come back as
 * `{ ok: false, reason }` for the dead-letter queue.
 */
export function normalize(input: RawEvent): NormalizeResult {
  let result: NormalizeResult;
  try {
    result = route(input);
  } catch (error) {
    // A normalizer bug must not take the worker down; the event goes to the dead-letter queue.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `normalizer error: ${message}`, normalizer: 'router' };
  }
  if (!result.ok) return result;
  const invalid = validateEvent(result.event);
  if (invalid !== undefined) {
    return { ok: false, reason: `invalid OCSF event: ${invalid}`, normalizer: result.normalizer };
  }
  return result;
}
