/**
 * SQL fragments: text with `?` placeholders and the values bound to them, in text order. Building
 * queries only from fragments keeps every literal out of the SQL text.
 */

export interface Sql {
  text: string;
  params: unknown[];
}

/** Wraps trusted SQL text that has no parameters. */
export function raw(text: string): Sql {
  return { text, params: [] };
}

/** Binds one value as a `?` parameter. */
export function param(value: unknown): Sql {
  return { text: '?', params: [value] };
}

/** Tagged template that splices fragments into trusted SQL text. */
export function sql(strings: TemplateStringsArray, ...parts: Sql[]): Sql {
  let text = strings[0] ?? '';
  const params: unknown[] = [];
  parts.forEach((part, index) => {
    text += part.text + (strings[index + 1] ?? '');
    params.push(...part.params);
  });
  return { text, params };
}

/** Joins fragments with a separator. */
export function join(parts: readonly Sql[], separator: string): Sql {
  return {
    text: parts.map((part) => part.text).join(separator),
    params: parts.flatMap((part) => part.params),
  };
}

/**
 * Characters an identifier may have: letters, digits, symbols, spaces and punctuation of display
 * names such as `Failed Logins (%)`. A double quote would end it, so it is not among them. Single
 * quotes, semicolons, backslashes and control characters are left out too, because no name needs
 * them.
 */
const SAFE_IDENTIFIER = /^[\p{L}\p{M}\p{N}\p{S}_.()[\]{} %\-/:#+&,@!?*=<>$^~|]+$/u;

/**
 * Double-quotes an identifier. Only catalog names and names the compiler validated reach here;
 * anything else is a bug, so it throws instead of escaping.
 */
export function identifier(name: string): Sql {
  if (!SAFE_IDENTIFIER.test(name))
    throw new Error(`Unsafe SQL identifier: ${JSON.stringify(name)}`);
  return raw(`"${name}"`);
}

/**
 * Binds a number. A whole number beyond 2^53 is bound as the text of a DOUBLE: the DuckDB
 * client binds whole JavaScript numbers as 64-bit integers and fails above 2^63.
 */
export function numberParam(value: number | bigint): Sql {
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return sql`CAST(${param(String(value))} AS DOUBLE)`;
  }
  return param(value);
}

/** Converts the text of a number to a parameter value, or undefined when it is not a number. */
export function numberValue(value: string | number): number | bigint | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const text = value.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const parsed = Number(text);
  if (/^[+-]?\d+$/.test(text) && !Number.isSafeInteger(parsed)) {
    const big = BigInt(text);
    const limit = 2n ** 63n;
    return big >= -limit && big < limit ? big : parsed;
  }
  return parsed;
}
