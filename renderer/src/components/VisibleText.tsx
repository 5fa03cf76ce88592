/**
 * Text exactly as an agent sent it, with nothing hidden: control characters, bidi overrides and
 * invisible characters (which can make a command read differently from what runs) are shown as
 * visible markers such as ⟨U+202E⟩. Newlines and tabs stay as they are.
 */
import { Fragment } from 'react';

// C0 controls except tab and newline, DEL and C1 controls, bidi marks, embeddings, overrides and
// isolates, zero-width characters, line/paragraph separators and the byte-order mark.
// eslint-disable-next-line no-control-regex -- matching control characters is this regex's job
const HIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

const NAMES: Record<string, string> = {
  '\u202A': 'LEFT-TO-RIGHT EMBEDDING',
  '\u202B': 'RIGHT-TO-LEFT EMBEDDING',
  '\u202C': 'POP DIRECTIONAL FORMATTING',
  '\u202D': 'LEFT-TO-RIGHT OVERRIDE',
  '\u202E': 'RIGHT-TO-LEFT OVERRIDE',
  '\u2066': 'LEFT-TO-RIGHT ISOLATE',
  '\u2067': 'RIGHT-TO-LEFT ISOLATE',
  '\u2068': 'FIRST STRONG ISOLATE',
  '\u2069': 'POP DIRECTIONAL ISOLATE',
  '\u200B': 'ZERO WIDTH SPACE',
  '\u200E': 'LEFT-TO-RIGHT MARK',
  '\u200F': 'RIGHT-TO-LEFT MARK',
  '\u001B': 'ESCAPE',
  '\r': 'CARRIAGE RETURN',
  '\u0000': 'NULL',
};

export const codePoint = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The text with every hidden character replaced by its marker (for titles and plain strings). */
export function visibleString(text: string): string {
  return text.replace(HIDDEN, (ch) => `⟨${codePoint(ch)}⟩`);
}

/** True when the text holds a character that `VisibleText` marks. */
export const hasHidden = (text: string): boolean => {
  HIDDEN.lastIndex = 0;
  const found = HIDDEN.test(text);
  HIDDEN.lastIndex = 0;
  return found;
};

export function VisibleText({ text }: { text: string }) {
  const parts: (string | { ch: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(HIDDEN)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ ch: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return (
    <>
      {parts.map((p, i) =>
        typeof p === 'string' ? (
          <Fragment key={i}>{p}</Fragment>
        ) : (
          <span key={i} className="hidden-char" title={`${codePoint(p.ch)}${NAMES[p.ch] ? ` ${NAMES[p.ch]}` : ''} (invisible in normal text)`}>
            ⟨{codePoint(p.ch)}⟩
          </span>
        ),
      )}
    </>
  );
}
