/**
 * A JSON parser that remembers the line of every object, array and key, so
 * that errors in a user-edited file can name the line. Used for the mapping
 * file only: the event paths use JSON.parse.
 */

export interface JsonLines {
  /** Line (1-based) of `key` in the object or array `node`, else of the node, else 1. */
  lineOf(node: unknown, key?: string): number;
}

/** Parses JSON text; a syntax error is thrown as an Error naming the line and column. */
export function parseJsonWithLines(text: string): { value: unknown; lines: JsonLines } {
  const nodeLines = new WeakMap<object, number>();
  const keyLines = new WeakMap<object, Map<string, number>>();
  let position = 0;
  let line = 1;
  let lineStart = 0;

  const fail = (message: string): never => {
    throw new Error(`line ${line}, column ${position - lineStart + 1}: ${message}`);
  };
  const skipSpace = () => {
    while (position < text.length) {
      const char = text[position];
      if (char === '\n') {
        line++;
        position++;
        lineStart = position;
      } else if (char === ' ' || char === '\t' || char === '\r') position++;
      else break;
    }
  };
  const readString = (): string => {
    const start = position;
    position++;
    while (position < text.length) {
      const char = text[position];
      if (char === '\\') position += 2;
      else if (char === '"') break;
      else if (char === '\n') fail('line break inside a string');
      else position++;
    }
    if (position >= text.length) fail('unterminated string');
    position++;
    try {
      return JSON.parse(text.slice(start, position)) as string;
    } catch {
      return fail('invalid escape in string');
    }
  };
  const readValue = (): unknown => {
    skipSpace();
    const char = text[position];
    if (char === '{') {
      const object: Record<string, unknown> = {};
      const keys = new Map<string, number>();
      nodeLines.set(object, line);
      keyLines.set(object, keys);
      position++;
      skipSpace();
      if (text[position] === '}') {
        position++;
        return object;
      }
      for (;;) {
        skipSpace();
        if (text[position] !== '"') fail('expected a quoted key');
        const keyLine = line;
        const keyStart = position;
        const key = readString();
        if (keys.has(key)) {
          position = keyStart;
          fail(`duplicate key "${key}"`);
        }
        keys.set(key, keyLine);
        skipSpace();
        if (text[position] !== ':') fail(`expected ":" after key "${key}"`);
        position++;
        object[key] = readValue();
        skipSpace();
        if (text[position] === ',') {
          position++;
          continue;
        }
        if (text[position] === '}') {
          position++;
          return object;
        }
        return fail('expected "," or "}"');
      }
    }
    if (char === '[') {
      const array: unknown[] = [];
      const keys = new Map<string, number>();
      nodeLines.set(array, line);
      keyLines.set(array, keys);
      position++;
      skipSpace();
      if (text[position] === ']') {
        position++;
        return array;
      }
      for (;;) {
        skipSpace();
        keys.set(String(array.length), line);
        array.push(readValue());
        skipSpace();
        if (text[position] === ',') {
          position++;
          continue;
        }
        if (text[position] === ']') {
          position++;
          return array;
        }
        return fail('expected "," or "]"');
      }
    }
    if (char === '"') return readString();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(position, position + 64),
    );
    if (literal === null)
      return fail(char === undefined ? 'unexpected end of file' : `unexpected "${char}"`);
    position += literal[0].length;
    return JSON.parse(literal[0]) as unknown;
  };

  const value = readValue();
  skipSpace();
  if (position < text.length) fail('unexpected text after the end of the JSON value');
  return {
    value,
    lines: {
      lineOf(node, key) {
        if (node === null || typeof node !== 'object') return 1;
        if (key !== undefined) {
          const keyLine = keyLines.get(node)?.get(key);
          if (keyLine !== undefined) return keyLine;
        }
        return nodeLines.get(node) ?? 1;
      },
    },
  };
}
