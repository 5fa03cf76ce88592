import { describe, expect, it } from 'vitest';
import { diffLines } from '../../../../renderer/src/lib/diff';

describe('the policy version diff', () => {
  it('marks each line kept, removed or added, in order', () => {
    const before = 'rule 1: ALLOW a\nrule 2: ALERT b\nrule 3: BLOCK c';
    const after = 'rule 1: ALLOW a\nrule 2: BLOCK b\nrule 3: BLOCK c\nrule 4: ALERT d';
    expect(diffLines(before, after)).toEqual([
      { kind: 'same', text: 'rule 1: ALLOW a' },
      { kind: 'del', text: 'rule 2: ALERT b' },
      { kind: 'add', text: 'rule 2: BLOCK b' },
      { kind: 'same', text: 'rule 3: BLOCK c' },
      { kind: 'add', text: 'rule 4: ALERT d' },
    ]);
  });

  it('keeps empty lines and shows identical texts as unchanged', () => {
    expect(diffLines('a\n\nb', 'a\n\nb')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'same', text: '' },
      { kind: 'same', text: 'b' },
    ]);
  });
});
