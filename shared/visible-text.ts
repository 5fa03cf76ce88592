/**
 * Text as an operator must read it: control characters, bidi overrides and invisible characters
 * (which can make a command read differently from what runs) become visible markers such as
 * ⟨U+202E⟩. Newlines and tabs stay as they are.
 *
 * @example
 *   visibleString('invoice\u202Efdp.exe') // 'invoice⟨U+202E⟩fdp.exe'
 */

// C0 controls except tab and newline, DEL and C1 controls, bidi marks, embeddings, overrides and
// isolates, zero-width characters, line/paragraph separators and the byte-order mark.
// eslint-disable-next-line no-control-regex -- matching control characters is this regex's job
export const HIDDEN_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

export const codePoint = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The text with every hidden character replaced by its marker. */
export function visibleString(text: string): string {
  return text.replace(HIDDEN_CHARS, (ch) => `⟨${codePoint(ch)}⟩`);
}

/** True when the text holds a character that would be shown as a marker. */
export function hasHidden(text: string): boolean {
  return new RegExp(HIDDEN_CHARS.source).test(text);
}
