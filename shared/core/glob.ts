/** `*` globs for tool names and grant argument patterns. `*` matches any run of characters. */

const cache = new Map<string, RegExp>();

/** A glob as an anchored regular expression (cached; patterns come from stored policies). */
export function globRegex(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    const body = glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 's');
    if (cache.size > 10_000) cache.clear();
    cache.set(glob, re);
  }
  return re;
}

export const isGlob = (s: string): boolean => s.includes('*');

/** True when `text` matches `pattern` (exact unless the pattern holds a `*`). */
export function globMatch(pattern: string, text: string): boolean {
  return isGlob(pattern) ? globRegex(pattern).test(text) : pattern === text;
}
