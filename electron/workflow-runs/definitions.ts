/**
 * What the run engine reads of deployed workflows (the `wfdefs` catalog provides it), and the
 * JSON Schema checks of a run's input and a transition's arguments, compiled once per version
 * with a maintained draft 2020-12 validator.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { WorkflowDefinition } from '../../shared/workflows/definition.js';
import { HttpError } from '../server/errors.js';

export interface DeployedVersion {
  version: number;
  definition: WorkflowDefinition;
}

/** The catalog as the engine uses it. */
export interface DefinitionSource {
  latest(name: string): DeployedVersion | undefined;
  versionOf(name: string, version: number): DeployedVersion | undefined;
  isDeleted(name: string): boolean;
}

const ajv = new Ajv2020({ allErrors: false, strict: false });
const compiled = new Map<string, ValidateFunction>();

/** `input.service`, `arguments.items[0].name` from an ajv error. */
function paramOf(root: string, error: ErrorObject): string {
  let path = root;
  for (const seg of error.instancePath.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
  }
  if (error.keyword === 'required') path += `.${String((error.params as { missingProperty: string }).missingProperty)}`;
  if (error.keyword === 'additionalProperties') path += `.${String((error.params as { additionalProperty: string }).additionalProperty)}`;
  return path;
}

/**
 * 400 unless `value` satisfies `schema`; `param` is the failing place inside `root`. A schema
 * that does not compile refuses everything (fail closed).
 */
export function checkSchema(cacheKey: string, schema: Record<string, unknown> | undefined, value: unknown, root: string): void {
  if (!schema) return;
  let validate = compiled.get(cacheKey);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch {
      throw new HttpError(422, 'unprocessable', `the ${root} schema of this workflow version does not compile; nothing can be accepted`, root);
    }
    compiled.set(cacheKey, validate);
  }
  if (validate(value)) return;
  const error = validate.errors?.[0];
  if (!error) throw new HttpError(400, 'invalid_parameter', `${root} does not match its schema`, root);
  const param = paramOf(root, error);
  const code = error.keyword === 'required' ? 'missing_parameter' : 'invalid_parameter';
  throw new HttpError(400, code, `${param} ${error.message ?? 'does not match its schema'}`, param);
}
