/**
 * The words of a shell command, for command-prefix grant proposals (`git push origin *`).
 *
 * Only ONE simple command made of literal words gets words: no operator (`;`, `&&`, `|`), no
 * quote or escape, no substitution, variable, glob, redirection or leading `VAR=value`. Anything
 * else answers null, so it is offered the exact scope only.
 *
 * INVARIANT: this is the single place that reads a command's words for grants. It accepts only
 * strings whose shell word splitting is plain whitespace splitting (every character is in the
 * set below), so the words it returns are the words a shell would run. When the core's shell
 * parser (`analyzeShell` in shared/core/shell.ts) lands, this becomes: one command, `ok`, no
 * `unsafe`, no redirects, literal `words`.
 */
const PLAIN_COMMAND = /^[A-Za-z0-9_@%+:,./-]+(?:[ \t]+[A-Za-z0-9_@%+=:,./-]+)*$/;

export function commandWords(command: string): string[] | null {
  const trimmed = command.trim();
  if (trimmed.length === 0 || trimmed.length > 4096 || !PLAIN_COMMAND.test(trimmed)) return null;
  return trimmed.split(/[ \t]+/);
}
