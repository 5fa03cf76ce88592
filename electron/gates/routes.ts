/** The review gates' routes: stubs until their services land. */
import { gateRoutes as gateContract } from '../../shared/api/gates.js';
import type { RouteName } from '../../shared/api/index.js';
import { HttpError } from '../server/errors.js';
import type { Api } from '../server/api.js';

export function gateRoutes(api: Api): void {
  for (const name of Object.keys(gateContract) as RouteName[]) {
    api.handle(name, () => {
      throw new HttpError(501, 'internal_error', 'review gates are not implemented yet');
    });
  }
}
