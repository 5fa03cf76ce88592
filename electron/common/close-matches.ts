/**
 * "Did you mean": the known names closest to one nobody has, for the message of a refused
 * reference.
 */
import { distance } from 'fastest-levenshtein';

/** How many close matches a refusal lists. */
const SUGGESTIONS = 3;

/**
 * Up to three of `candidates` closest to `wanted`, ignoring case: names that contain it or that
 * it contains first, then by edit distance, keeping only those a typo away (at most half the
 * name's length, at least 2).
 *
 * @example closeMatches('Growth', ['growth', 'infra']) // ['growth']
 */
export function closeMatches(wanted: string, candidates: readonly string[]): string[] {
  const lowerWanted = wanted.toLowerCase();
  const limit = Math.max(2, Math.floor(lowerWanted.length / 2));
  return candidates
    .map((candidate) => {
      const lower = candidate.toLowerCase();
      const related = lower.includes(lowerWanted) || lowerWanted.includes(lower);
      return { candidate, score: related ? 0 : distance(lowerWanted, lower) };
    })
    .filter((m) => m.score <= limit)
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, SUGGESTIONS)
    .map((m) => m.candidate);
}
