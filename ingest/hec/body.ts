/** Request body decoding: Content-Encoding and size caps. */

import { gunzip } from 'node:zlib';
import { HecError } from './codes.js';

/** Thrown when a body, on the wire or decompressed, passes the content length cap (413). */
export class ContentTooLargeError extends Error {
  constructor(limitBytes: number) {
    super(`request body larger than ${limitBytes} bytes`);
    this.name = 'ContentTooLargeError';
  }
}

/** Content-Encoding values accepted: gzip, or none. Returns undefined for others (415). */
export function parseContentEncoding(header: string): 'gzip' | 'identity' | undefined {
  const value = header.trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  return undefined;
}

/**
 * Inflates a gzip body. zlib stops as soon as the output passes `maxBytes`, so a gzip bomb
 * costs at most that much memory. Throws ContentTooLargeError above the cap and HecError
 * code 6 for a corrupt stream.
 */
export function gunzipCapped(body: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(body, { maxOutputLength: maxBytes }, (err, result) => {
      if (err === null) {
        resolve(result);
      } else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        reject(new ContentTooLargeError(maxBytes));
      } else {
        reject(new HecError(6, undefined, `gzip decoding failed: ${err.message}`));
      }
    });
  });
}
