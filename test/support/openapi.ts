/** A typed reading of `GET /openapi.json`: the parts the tests look at, checked as they are read. */
import { z } from 'zod';

export interface JsonSchema {
  description?: string | undefined;
  properties?: Record<string, JsonSchema> | undefined;
}

const JsonSchema: z.ZodType<JsonSchema> = z.lazy(() =>
  z.looseObject({ description: z.string().optional(), properties: z.record(z.string(), JsonSchema).optional() }),
);

const Operation = z.object({
  operationId: z.string(),
  responses: z.record(z.string(), z.unknown()),
  parameters: z.array(z.object({ name: z.string(), in: z.string() })).optional(),
  requestBody: z.object({ content: z.record(z.string(), z.object({ schema: JsonSchema })).optional() }).optional(),
});

export const OpenApiDoc = z.object({
  openapi: z.string(),
  info: z.unknown(),
  components: z.object({ securitySchemes: z.unknown() }),
  paths: z.record(z.string(), z.record(z.string(), Operation)),
});
export type OpenApiDoc = z.infer<typeof OpenApiDoc>;
