/** Loading uWebSockets.js and detecting its silent fallback to a pure-JS server. */

import uWS from 'uWebSockets.js';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

const require = createRequire(import.meta.url);

/**
 * Returns the uWebSockets.js module and logs a warning with the cause when its native
 * binary did not load. The package then falls back to a much slower server written in
 * JavaScript without failing, so this warning is the only sign.
 */
export function loadUws(logger: Logger): typeof uWS {
  const binary = `uWebSockets.js/binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  let native: unknown;
  try {
    native = require(binary);
  } catch (err) {
    logger.warn(
      { err, binary },
      'uWebSockets.js native binary failed to load; HEC runs on the slow JavaScript fallback',
    );
    return uWS;
  }
  if (native !== uWS) {
    const cause =
      process.env['UWS_USE_FALLBACK'] !== undefined
        ? 'the UWS_USE_FALLBACK environment variable is set'
        : 'the package returned a different module than its native binary';
    logger.warn(
      { binary, cause },
      `uWebSockets.js runs its slow JavaScript fallback because ${cause}`,
    );
  }
  return uWS;
}
