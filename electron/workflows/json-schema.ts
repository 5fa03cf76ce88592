/**
 * The one JSON Schema (draft 2020-12) compiler for workflows: a run's `input_schema` and a
 * transition's argument schema are checked with it when a definition is deployed and when a run
 * validates its input, so both agree on what a schema means.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { canonicalJson } from '../policies/rows.js';

function newAjv(): Ajv2020 {
  // Strict: an unknown keyword or format is a mistake in the schema, refused when deploying.
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, allErrors: false, logger: false });
  addFormats.default(ajv);
  return ajv;
}

/** Compiled validators by schema text; bounded, since every compiled schema holds generated code. */
const MAX_COMPILED = 500;
let ajv = newAjv();
const compiled = new Map<string, ValidateFunction>();

/** Compiles `schema`; throws an Error saying why when it is not a valid draft 2020-12 schema. */
export function compileJsonSchema(schema: Record<string, unknown>): ValidateFunction {
  // A `$id` would be registered in the instance and collide between versions; schemas stand alone.
  const { $id: _id, ...standalone } = schema;
  const key = canonicalJson(standalone);
  const cached = compiled.get(key);
  if (cached) return cached;
  if (compiled.size >= MAX_COMPILED) {
    // A fresh instance drops every compiled schema at once, the cache with it.
    compiled.clear();
    ajv = newAjv();
  }
  // Compiled from a copy: ajv keys its own cache by the object, which must not be one a caller reuses.
  const validate = ajv.compile(JSON.parse(key) as Record<string, unknown>);
  compiled.set(key, validate);
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
