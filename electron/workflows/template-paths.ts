/**
 * Definition-time check of the values a run templates from its data (`set_context`, executor
 * args, bodies, prompts, argv): a string that starts with `$.` must be a whole path under
 * `$.workflow.input`, `$.context`, `$.arguments` or `$.output`, and every `{{…}}` placeholder must
 * name `input`, `context`, `arguments`, `output` or `run`. Anything else is almost surely a typo
 * that would otherwise be taken as literal text at run time.
 */
const WHOLE_PATH = /^\$\.(workflow\.input|context|arguments|output)((?:\.[A-Za-z0-9_-]+|\[\d+\])*)$/;
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;
const PLACEHOLDER_BODY = /^(input|context|arguments|output|run)((?:\.[A-Za-z0-9_-]+|\[\d+\])*)$/;

export interface TemplateFault {
  param: string;
  message: string;
}

/** The first templated string under `value` that names nothing a run has, with its param path. */
export function templateFault(value: unknown, param: string, depth = 0): TemplateFault | null {
  if (depth > 64) return null;
  if (typeof value === 'string') {
    if (value.startsWith('$.') && !WHOLE_PATH.test(value)) {
      return { param, message: `${param}: ${value} is not a path a run has (paths start $.workflow.input, $.context, $.arguments or $.output)` };
    }
    for (const m of value.matchAll(PLACEHOLDER)) {
      if (!PLACEHOLDER_BODY.test(m[1] ?? '')) {
        return { param, message: `${param}: placeholder ${m[0]} names nothing a run has (input, context, arguments, output or run)` };
      }
    }
    return null;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const fault = templateFault(v, `${param}[${i}]`, depth + 1);
      if (fault) return fault;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const fault = templateFault(v, `${param}.${k}`, depth + 1);
      if (fault) return fault;
    }
  }
  return null;
}
