/**
 * `Content-Type: application/yaml` bodies: accepted only by the routes that take a definition
 * (create and deploy), which receive `{definition: "<the YAML text>"}`; every other route answers
 * 400 naming the content type. The text is not parsed here, so it can be kept verbatim.
 */
import type { FastifyInstance } from 'fastify';
import { routes } from '../../shared/api/index.js';
import { BODY_LIMIT } from '../server/http.js';
import { HttpError } from '../server/errors.js';

export const YAML_CONTENT_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

const ACCEPTING = new Set([routes.createWorkflow, routes.deployWorkflow].map((r) => `${r.method} ${r.path}`));

export function installYamlBodies(http: FastifyInstance): void {
  http.addContentTypeParser(YAML_CONTENT_TYPES, { parseAs: 'string', bodyLimit: BODY_LIMIT }, (request, body, done) => {
    if (!ACCEPTING.has(`${request.method} ${request.routeOptions.url ?? ''}`)) {
      done(new HttpError(400, 'invalid_parameter', 'a YAML body is accepted only by POST /v1/workflows and PUT /v1/workflows/{name}; send JSON', 'content-type'));
      return;
    }
    done(null, { definition: body });
  });
}
