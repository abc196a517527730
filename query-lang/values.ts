/**
 * Search values and wildcard patterns. In a pattern, `*` matches any run of characters, `\*` is a
 * literal star and `\\` a literal backslash. Any other backslash is literal.
 */

/** One piece of a pattern: literal text, or the wildcard. */
export type PatternPart = { literal: string } | { wildcard: true };

/** Splits a pattern into literal runs and wildcards; adjacent wildcards collapse into one. */
export function parsePattern(pattern: string): PatternPart[] {
  const parts: PatternPart[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') parts.push({ literal });
    literal = '';
  };
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    const next = pattern[index + 1];
    if (char === '\\' && (next === '*' || next === '\\')) {
      literal += next;
      index++;
    } else if (char === '*') {
      flush();
      if (parts.at(-1) === undefined || !('wildcard' in parts.at(-1)!))
        parts.push({ wildcard: true });
    } else {
      literal += char;
    }
  }
  flush();
  return parts;
}

/** Escapes literal text so that it reads back unchanged as a pattern. */
export function escapePattern(text: string): string {
  return text.replace(/[\\*]/g, (char) => `\\${char}`);
}

/** Returns the literal text of a pattern without wildcards, or undefined if it has one. */
export function patternLiteral(pattern: string): string | undefined {
  const parts = parsePattern(pattern);
  if (parts.some((part) => 'wildcard' in part)) return undefined;
  return parts.map((part) => ('literal' in part ? part.literal : '')).join('');
}

/**
 * Decodes the body of a quoted string into a pattern. `\"`, `\'`, `\n`, `\t` and `\r` become the
 * character they name; `\*` and `\\` stay escaped so that the pattern reads them as literals.
 */
export function decodeQuoted(image: string): string {
  const body = image.slice(1, -1);
  return body.replace(/\\([\s\S])/g, (sequence, char: string) => {
    switch (char) {
      case '"':
      case "'":
        return char;
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      default:
        return sequence;
    }
  });
}

/** Decodes a quoted string into plain text, with no wildcard meaning left. */
export function decodeQuotedText(image: string): string {
  return decodeQuoted(image).replace(/\\([\\*])/g, '$1');
}

/**
 * Expands an IPv6 address to 32 lower-case hex digits, or returns undefined if it is not one.
 * Forms with an embedded IPv4 address (`::ffff:1.2.3.4`) are not accepted.
 */
export function expandIpv6(address: string): string | undefined {
  const text = address.toLowerCase();
  if (!/^[0-9a-f:]{2,39}$/.test(text) || text.includes(':::')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined) => (half ? half.split(':') : []);
  const left = groups(halves[0]);
  const right = groups(halves[1]);
  if ([...left, ...right].some((group) => group.length === 0 || group.length > 4)) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const zeros = Array.from({ length: halves.length === 2 ? missing : 0 }, () => '0');
  return [...left, ...zeros, ...right].map((group) => group.padStart(4, '0')).join('');
}

/** The prefix of an IPv6 CIDR range: whole hex digits, then a range for a partial digit. */
export interface Ipv6Prefix {
  hexPrefix: string;
  partialNibble?: { low: number; high: number };
}

/** Parses an IPv6 CIDR range such as `2001:db8::/32`, or returns undefined if invalid. */
export function ipv6CidrPrefix(text: string): Ipv6Prefix | undefined {
  const match = /^([0-9a-f:]+)\/(\d{1,3})$/i.exec(text);
  if (!match) return undefined;
  const expanded = expandIpv6(match[1]!);
  const bits = Number(match[2]);
  if (expanded === undefined || bits > 128) return undefined;
  const wholeDigits = Math.floor(bits / 4);
  const prefix: Ipv6Prefix = { hexPrefix: expanded.slice(0, wholeDigits) };
  const remainingBits = bits % 4;
  if (remainingBits > 0) {
    const nibble = Number.parseInt(expanded[wholeDigits]!, 16);
    const mask = (0xf << (4 - remainingBits)) & 0xf;
    const low = nibble & mask;
    prefix.partialNibble = { low, high: low | (~mask & 0xf) };
  }
  return prefix;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Returns true when the text has the shape of a CIDR range (IPv4 or IPv6). A dotted quad with
 * anything after a slash counts, so that `10.0.0.0/8/8` is reported as an invalid range rather
 * than compared as text.
 */
export function looksLikeCidr(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}\/./.test(text) || /^[0-9a-f:.]*:[0-9a-f:.]*\/\d{1,3}$/i.test(text);
}

/** Inclusive bounds of an IPv4 CIDR range as 32-bit integers, or undefined if invalid. */
export function ipv4CidrBounds(text: string): { low: number; high: number } | undefined {
  const match = IPV4_CIDR.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const address = octets.reduce((total, octet) => total * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  const low = Math.floor(address / size) * size;
  return { low, high: low + size - 1 };
}
