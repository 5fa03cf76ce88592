/**
 * `Content-Type: application/yaml` bodies: accepted only by routes that declare `textBody`
 * (creating and deploying a workflow), which receive `{[field]: "<the text>"}`; every other route
 * answers 400 naming the content type. The text is not parsed here, so it can be kept verbatim.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteDef } from '../../shared/api/contract.js';
import { routes } from '../../shared/api/index.js';
import { BODY_LIMIT } from '../server/http.js';
import { HttpError } from '../server/errors.js';

export const YAML_CONTENT_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** The text field of each route taking a text body, by `METHOD path`. */
const ACCEPTING = new Map<string, string>(
  (Object.values(routes) as RouteDef[]).flatMap((r): [string, string][] => (r.textBody ? [[`${r.method} ${r.path}`, r.textBody.field]] : [])),
);

export function installYamlBodies(http: FastifyInstance): void {
  http.addContentTypeParser(YAML_CONTENT_TYPES, { parseAs: 'string', bodyLimit: BODY_LIMIT }, (request, body, done) => {
    const field = ACCEPTING.get(`${request.method} ${request.routeOptions.url ?? ''}`);
    if (field === undefined) {
      const accepting = [...ACCEPTING.keys()].join(', ');
      done(new HttpError(400, 'invalid_parameter', `a YAML body is accepted only by ${accepting}; send JSON`, 'content-type'));
      return;
    }
    done(null, { [field]: body });
  });
}
