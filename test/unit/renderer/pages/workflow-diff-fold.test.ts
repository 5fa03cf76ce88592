import { describe, expect, it } from 'vitest';
import type { DiffLine } from '../../../../renderer/src/lib/diff';
import { foldUnchanged } from '../../../../renderer/src/pages/workflows/diffFold';

const same = (text: string): DiffLine => ({ kind: 'same', text });

describe('folding a version diff', () => {
  it('keeps the changes with their context and counts the unchanged lines it folds', () => {
    const lines: DiffLine[] = [...'abcdefgh'.split('').map(same), { kind: 'del', text: 'x' }, { kind: 'add', text: 'y' }, ...'ijklmnop'.split('').map(same)];
    expect(foldUnchanged(lines, 2)).toEqual([
      { kind: 'fold', count: 6 },
      same('g'),
      same('h'),
      { kind: 'del', text: 'x' },
      { kind: 'add', text: 'y' },
      same('i'),
      same('j'),
      { kind: 'fold', count: 6 },
    ]);
  });

  it('folds nothing between two changes closer than twice the context, and everything when nothing changed', () => {
    const lines: DiffLine[] = [{ kind: 'add', text: '1' }, same('a'), same('b'), { kind: 'del', text: '2' }];
    expect(foldUnchanged(lines, 1)).toEqual(lines);
    expect(foldUnchanged(['a', 'b'].map(same))).toEqual([{ kind: 'fold', count: 2 }]);
  });
});
