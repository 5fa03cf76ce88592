/**
 * `*` globs for tool names, grant argument patterns and shell words: `*` matches any run of
 * characters, every other character matches itself.
 *
 * INVARIANT: matching takes time linear in the text for a given pattern. The pattern is cut at
 * its stars into literal segments; the first must start the text, the last must end it, and each
 * middle one is found leftmost after the previous one with `indexOf` (leftmost is always right for
 * `*`-only globs, so nothing is ever retried). A backtracking RegExp (`.*a.*a.*b`) is exponential
 * in the number of stars and froze the server on a hostile pattern, so none is used.
 */

/** Longest pattern and most stars a stored or dry-run pattern may hold (schemas refuse more). */
export const MAX_GLOB_LENGTH = 512;
export const MAX_GLOB_STARS = 16;

export const isGlob = (s: string): boolean => s.includes('*');

/**
 * True when `text` matches `pattern` (exact unless the pattern holds a `*`).
 *
 * @example
 *   globMatch('fs.*', 'fs.write')              // true
 *   globMatch('src/*.ts', 'src/a.ts')    // true
 */
export function globMatch(pattern: string, text: string): boolean {
  if (!pattern.includes('*')) return pattern === text;
  const parts = pattern.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const segment = parts[i]!;
    if (segment.length === 0) continue;
    const found = text.indexOf(segment, at);
    if (found < 0 || found + segment.length > end) return false;
    at = found + segment.length;
  }
  return true;
}

/** Why `pattern` is refused as a glob (too long, too many stars), or null when it is fine. */
export function globError(pattern: string): string | null {
  if (pattern.length > MAX_GLOB_LENGTH) return `a pattern may hold at most ${MAX_GLOB_LENGTH} characters, got ${pattern.length}`;
  let stars = 0;
  for (let i = 0; i < pattern.length; i++) if (pattern.charCodeAt(i) === 42) stars++;
  if (stars > MAX_GLOB_STARS) return `a pattern may hold at most ${MAX_GLOB_STARS} stars, got ${stars}`;
  return null;
}
