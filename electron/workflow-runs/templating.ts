/**
 * Values templated from run data (`set_context`, executor args and bodies, prompts, `output`):
 * - a string that is a whole path (`$.workflow.input.service`, `$.context.x`, `$.arguments.y`,
 *   `$.output.z`, with `.key`, `.N` or `[N]` steps) takes the value found there;
 * - a string with `{{input.x}}`, `{{context.x}}`, `{{arguments.x}}`, `{{output.x}}` or `{{run.id}}`
 *   placeholders is rendered (objects as JSON);
 * - objects and arrays template each member; anything else is taken as is.
 * A path or placeholder that names nothing is an error (`TemplateError`): a step never runs on a
 * value it could not find.
 */
export interface TemplateData {
  input: unknown;
  context: unknown;
  arguments?: unknown;
  output?: unknown;
  run?: { id: string; step: number };
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const WHOLE_PATH = /^\$\.(workflow\.input|context|arguments|output)((?:\.[A-Za-z0-9_-]+|\[\d+\])*)$/;
const PLACEHOLDER = /\{\{\s*(input|context|arguments|output|run)((?:\.[A-Za-z0-9_-]+|\[\d+\])*)\s*\}\}/g;

function segmentsOf(rest: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of rest.matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(/^\d+$/.test(m[1]!) ? Number(m[1]) : m[1]!);
  }
  return out;
}

function rootValue(data: TemplateData, root: string): unknown {
  switch (root) {
    case 'workflow.input':
    case 'input':
      return data.input;
    case 'context':
      return data.context;
    case 'arguments':
      return data.arguments;
    case 'output':
      return data.output;
    case 'run':
      return data.run;
    default:
      return undefined;
  }
}

function lookup(data: TemplateData, root: string, rest: string, text: string): unknown {
  let cur = rootValue(data, root);
  for (const seg of segmentsOf(rest)) {
    if (Array.isArray(cur) && typeof seg === 'number' && seg < cur.length) cur = cur[seg];
    else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, String(seg))) cur = (cur as Record<string, unknown>)[String(seg)];
    else throw new TemplateError(`${text} names nothing in the run's data`);
  }
  if (cur === undefined) throw new TemplateError(`${text} names nothing in the run's data`);
  return cur;
}

/** Templates one value (see the top of this file); throws `TemplateError`. */
export function render(value: unknown, data: TemplateData, depth = 0): unknown {
  if (depth > 32) throw new TemplateError('the value nests deeper than 32 levels');
  if (typeof value === 'string') {
    const whole = WHOLE_PATH.exec(value);
    if (whole) return lookup(data, whole[1]!, whole[2] ?? '', value);
    if (!value.includes('{{')) return value;
    return value.replace(PLACEHOLDER, (text, root: string, rest: string) => {
      const found = lookup(data, root, rest ?? '', text);
      return typeof found === 'string' ? found : JSON.stringify(found);
    });
  }
  if (Array.isArray(value)) return value.map((v) => render(v, data, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, data, depth + 1)]));
  }
  return value;
}

/** Renders a prompt or an argv word: always a string. */
export function renderText(text: string, data: TemplateData): string {
  const out = render(text, data);
  return typeof out === 'string' ? out : JSON.stringify(out);
}
