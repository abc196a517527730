import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Sends the API's error shape: `{"error": {"code", "message", ...details}}`. */
export function apiError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): Response {
  return c.json({ error: { code, message, ...details } }, status);
}

/**
 * Describes what is wrong with a request body or query string, one `field: problem` per
 * issue, such as `limit: Too big: expected number to be <=10000`.
 */
export function issuesText(error: {
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>;
}): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.map(String).join('.');
      return field === '' ? issue.message : `${field}: ${issue.message}`;
    })
    .join('; ');
}
