/**
 * OCSF normalization of events received over HEC: routing by sourcetype or
 * content, the per-source normalizers, and validation of the result.
 */
import { readFileSync } from 'node:fs';
import { clearMappings, installMappings, MappingFileError } from './custom.js';
import { clearRoutes, route } from './router.js';
import type { NormalizeResult, RawEvent } from './types.js';
import { validateEvent } from './validate.js';

export { customSourcetypes, MappingFileError } from './custom.js';
export type { NormalizeResult, OcsfEvent, RawEvent } from './types.js';
export { validateEvent } from './validate.js';

/**
 * Loads the custom sourcetype mapping file (JSON, see docs/ADDING_A_SOURCE.md)
 * and installs it in this thread, replacing earlier mappings. Each worker
 * thread calls it once at startup with TELHAWK_MAPPINGS_FILE. Returns the
 * sourcetypes it defines; throws a MappingFileError naming the file and line
 * of every problem, and then keeps the mappings it had.
 */
export function loadMappingFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MappingFileError(
      `${path}: failed to read the mapping file: ${(error as Error).message}`,
    );
  }
  return setMappings(text, path);
}

/** Installs mapping file text (as `loadMappingFile` does), for tests and the API. */
export function setMappings(text: string, fileName?: string): string[] {
  const sourcetypes = installMappings(text, fileName);
  clearRoutes();
  return sourcetypes;
}

/** Removes the custom mappings. */
export function resetMappings(): void {
  clearMappings();
  clearRoutes();
}

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
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      // Tens of thousands of nested arrays or objects exhaust the stack of a recursive reader.
      return {
        ok: false,
        reason: 'the event is nested too deeply to normalize: flatten its arrays and objects',
        normalizer: 'router',
      };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `normalizer error: ${message}`, normalizer: 'router' };
  }
  if (!result.ok) return result;
  // A time the sender gave in the HEC envelope or query string wins over one in the event's
  // text, as in Splunk, where only auto_extract_timestamp reads the text's time on /event.
  if (input.time !== undefined && Number.isFinite(input.time)) {
    result.event.time = Math.round(input.time);
  }
  const invalid = validateEvent(result.event);
  if (invalid !== undefined) {
    return { ok: false, reason: `invalid OCSF event: ${invalid}`, normalizer: result.normalizer };
  }
  return result;
}
