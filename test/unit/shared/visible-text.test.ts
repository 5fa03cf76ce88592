import { describe, expect, it } from 'vitest';
import { hasHidden, visibleString } from '../../../shared/visible-text.js';

describe('visibleString', () => {
  it.each([
    ['invoice\u202Efdp.exe', 'invoice⟨U+202E⟩fdp.exe'],
    ['a\u200Bb\uFEFF', 'a⟨U+200B⟩b⟨U+FEFF⟩'],
    ['echo hi\u001B[2K\rrm -rf ~', 'echo hi⟨U+001B⟩[2K⟨U+000D⟩rm -rf ~'],
    ['\u2066x\u2069 \u061C', '⟨U+2066⟩x⟨U+2069⟩ ⟨U+061C⟩'],
    ['line one\nline\ttwo', 'line one\nline\ttwo'],
    ['naïve café 日本', 'naïve café 日本'],
  ])('%j → %j', (input, shown) => {
    expect(visibleString(input)).toBe(shown);
    expect(hasHidden(input)).toBe(input !== shown);
  });

  it('keeps the whole text: nothing after a marker is dropped', () => {
    const tail = 'x'.repeat(5000);
    expect(visibleString(`\u202E${tail}`)).toBe(`⟨U+202E⟩${tail}`);
  });
});
