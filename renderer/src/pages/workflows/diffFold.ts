/** Folds the unchanged stretches of a line diff, keeping `context` lines around each change. */
import type { DiffLine } from '../../lib/diff';

export type FoldedLine = DiffLine | { kind: 'fold'; count: number };

export function foldUnchanged(lines: readonly DiffLine[], context = 3): FoldedLine[] {
  const keep = lines.map((l) => l.kind !== 'same');
  const near = lines.map((_, i) => {
    for (let d = -context; d <= context; d++) if (keep[i + d]) return true;
    return false;
  });
  const out: FoldedLine[] = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (near[i]) {
      if (skipped) out.push({ kind: 'fold', count: skipped });
      skipped = 0;
      out.push(l);
    } else skipped++;
  });
  if (skipped) out.push({ kind: 'fold', count: skipped });
  return out;
}
