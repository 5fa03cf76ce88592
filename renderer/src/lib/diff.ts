/** A line diff for comparing policy versions, on top of the `diff` package. */
import { diffLines as changes } from 'diff';

export type DiffLine = { kind: 'same' | 'add' | 'del'; text: string };

export function diffLines(before: string, after: string): DiffLine[] {
  const out: DiffLine[] = [];
  // Both texts end in a newline, so a last line that is followed by more is not a changed line.
  for (const change of changes(`${before}\n`, `${after}\n`)) {
    const kind = change.added ? 'add' : change.removed ? 'del' : 'same';
    const lines = change.value.split('\n');
    lines.pop(); // the value ends with its last line's newline
    for (const text of lines) out.push({ kind, text });
  }
  return out;
}
