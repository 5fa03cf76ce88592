import { describe, expect, it } from 'vitest';
import { routes } from '../../../shared/api/index.js';
import { routeTable } from '../../../shared/api/route-table.js';

describe('the plain route table', () => {
  it('has the method, path, raw flag and role of every route of the contract, and no other route', () => {
    const fromContract = Object.fromEntries(
      Object.entries(routes).map(([name, def]) => [name, { method: def.method, path: def.path, ...(def.raw ? { raw: true } : {}), ...(def.role ? { role: def.role } : {}) }]),
    );
    expect(routeTable).toEqual(fromContract);
  });
});
