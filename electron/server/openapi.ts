/** `GET /openapi.json`, generated from the same route contract that validates requests. */
import { z } from 'zod';
import type { RouteDef } from '../../shared/api/contract.js';
import { routes } from '../../shared/api/index.js';
import { ErrorBody } from '../../shared/api/common.js';

type JsonSchema = Record<string, unknown>;

const schemaOf = (s: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
};

function parametersOf(def: RouteDef): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [['path', def.params], ['query', def.query]] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: prop });
    }
  }
  return out;
}

export function buildOpenApi(version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = { description: 'error', content: { 'application/json': { schema: schemaOf(ErrorBody, 'output') } } };
  for (const [name, route] of Object.entries(routes)) {
    const def = route as RouteDef;
    const path = def.path.replace(/:([a-z_]+)/gi, '{$1}');
    const op: Record<string, unknown> = {
      operationId: name,
      summary: def.summary,
      tags: [def.tag],
      parameters: parametersOf(def),
      responses: {
        [String(def.status ?? 200)]: {
          description: 'success',
          content: def.raw
            ? { [def.raw.contentType]: { schema: { type: 'string' } } }
            : { 'application/json': { schema: schemaOf(def.response, 'output') } },
        },
        '4XX': errorResponse,
      },
      ...(def.auth === 'public' ? { security: [] } : {}),
      'x-warden-auth': def.auth,
    };
    if (def.body) {
      const content: Record<string, unknown> = { 'application/json': { schema: schemaOf(def.body, 'input') } };
      if (def.textBody) content['application/yaml'] = { schema: { type: 'string', description: `the ${def.textBody.field} as YAML or JSON text` } };
      op.requestBody = { required: !def.body.safeParse(undefined).success, content };
    }
    (paths[path] ??= {})[def.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Warden API', version, description: 'Agents ask before side effects; operators answer.' },
    servers: [{ url: 'http://127.0.0.1:7419' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'wk_agent_… agent key or wk_op_… operator token' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
  };
}
