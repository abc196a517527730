/**
 * Opt-in CORS, after Splunk's `crossOriginSharingPolicy`: a list of origin patterns where `*`
 * matches any run of characters and a leading `!` excludes. The first matching pattern decides.
 */

/** Request headers a browser sender needs. */
export const CORS_ALLOWED_HEADERS =
  'Authorization, Content-Type, Content-Encoding, X-Splunk-Request-Channel';

interface OriginRule {
  allow: boolean;
  pattern: RegExp;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles origin patterns into a matcher that returns true for allowed origins. */
export function compileOriginPolicy(patterns: readonly string[]): (origin: string) => boolean {
  const rules: OriginRule[] = patterns.map((raw) => {
    const allow = !raw.startsWith('!');
    const glob = allow ? raw : raw.slice(1);
    const source = glob.split('*').map(escapeRegExp).join('.*');
    return { allow, pattern: new RegExp(`^${source}$`, 'i') };
  });
  return (origin) => {
    if (origin === '') return false;
    for (const rule of rules) {
      if (rule.pattern.test(origin)) return rule.allow;
    }
    return false;
  };
}
