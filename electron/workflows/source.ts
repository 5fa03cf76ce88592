/**
 * Definition source text: YAML (JSON is read the same way, being YAML too) parsed into plain
 * data, with the line and column of the first syntax error in the 400. The text itself is kept
 * verbatim with the version it becomes.
 */
import { parseDocument } from 'yaml';
import { HttpError } from '../server/errors.js';
import { MAX_BODY_DEPTH, nestsDeeperThan } from '../server/http.js';

export type SourceFormat = 'yaml' | 'json';

export interface ParsedSource {
  data: unknown;
  source: string;
  format: SourceFormat;
}

/** `json` when the text is a JSON object, else `yaml`. */
export function formatOf(text: string): SourceFormat {
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/** Parses definition text; a syntax error → 400 `invalid_parameter` naming its line and column. */
export function parseSource(text: string, param = 'definition'): ParsedSource {
  const kind = formatOf(text) === 'json' ? 'JSON' : 'YAML';
  let data: unknown;
  try {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : 'an unknown position';
      const what = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'syntax error';
      throw new HttpError(400, 'invalid_parameter', `the ${kind} does not parse: ${what} (at ${where})`, param);
    }
    // Aliases are expanded with a bound, so a small document cannot blow up into a huge one.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof HttpError) throw err;
    // Too deep a document can exhaust the parser's stack: refused like any other bad text.
    throw new HttpError(400, 'invalid_parameter', `the ${kind} does not parse: ${err instanceof Error ? err.message : String(err)}`, param);
  }
  // The same bound as JSON bodies: validation recurses, and no definition needs more.
  if (nestsDeeperThan(data, MAX_BODY_DEPTH)) {
    throw new HttpError(400, 'invalid_parameter', `the ${kind} nests deeper than ${MAX_BODY_DEPTH} levels of mappings and lists`, param);
  }
  return { data, source: text, format: formatOf(text) };
}

/** A definition sent as an object: its source is its JSON, as sent (key order kept). */
export function sourceOfObject(definition: Record<string, unknown>): ParsedSource {
  return { data: definition, source: `${JSON.stringify(definition, null, 2)}\n`, format: 'json' };
}

/** The source text with its top-level `name` replaced (comments and layout kept for YAML). */
export function renameSource(source: string, format: SourceFormat, name: string): string {
  if (format === 'json') {
    const data = JSON.parse(source) as Record<string, unknown>;
    return `${JSON.stringify({ ...data, name }, null, 2)}\n`;
  }
  const doc = parseDocument(source);
  doc.set('name', name);
  return doc.toString();
}
