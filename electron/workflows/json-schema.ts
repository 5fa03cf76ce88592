/**
 * The one JSON Schema (draft 2020-12) compiler for workflows: a run's `input_schema` and a
 * transition's argument schema are checked with it when a definition is deployed and when a run
 * validates its input, so both agree on what a schema means.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

function newAjv(): Ajv2020 {
  // Strict: an unknown keyword or format is a mistake in the schema, refused when deploying.
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, allErrors: false, logger: false });
  addFormats.default(ajv);
  return ajv;
}

const ajv = newAjv();
const compiled = new WeakMap<object, ValidateFunction>();

/** Compiles `schema`; throws an Error saying why when it is not a valid draft 2020-12 schema. */
export function compileJsonSchema(schema: Record<string, unknown>): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached) return cached;
  // A `$id` would be registered globally and collide between versions; schemas stand alone.
  const { $id: _id, ...standalone } = schema;
  const validate = ajv.compile(standalone);
  compiled.set(schema, validate);
  return validate;
}

/** Why a schema does not compile, or null when it does. */
export function schemaError(schema: Record<string, unknown>): string | null {
  try {
    compileJsonSchema(schema);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * The first failure of `value` against `validate`, as a param path under `root` (`input.amount`)
 * and a message, or null when it passes.
 */
export function firstSchemaFailure(validate: ValidateFunction, value: unknown, root: string): { param: string; message: string } | null {
  if (validate(value)) return null;
  const error: ErrorObject | undefined = validate.errors?.[0];
  if (!error) return { param: root, message: `${root} does not match its schema` };
  let param = root;
  for (const seg of error.instancePath.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    param += /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
  }
  if (error.keyword === 'required') param += `.${String((error.params as { missingProperty: string }).missingProperty)}`;
  if (error.keyword === 'additionalProperties') param += `.${String((error.params as { additionalProperty: string }).additionalProperty)}`;
  return { param, message: `${param} ${error.message ?? 'does not match its schema'}` };
}
