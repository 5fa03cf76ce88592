/**
 * Text exactly as an agent sent it, with nothing hidden: control characters, bidi overrides and
 * invisible characters (which can make a command read differently from what runs) are shown as
 * visible markers such as ⟨U+202E⟩. Newlines and tabs stay as they are.
 */
import { Fragment } from 'react';
import { HIDDEN_CHARS, codePoint } from '../../../shared/visible-text.js';

export { hasHidden, visibleString } from '../../../shared/visible-text.js';

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

export function VisibleText({ text }: { text: string }) {
  const parts: (string | { ch: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(HIDDEN_CHARS)) {
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
