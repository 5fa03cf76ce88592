/** Values as a policy plan compares and prints them: equal whatever their key order. */

/** JSON with sorted keys and no undefined, so equal values compare equal whatever their order. */
export function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as object)
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value)) ?? 'null';
}

export const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);
export const show = (v: unknown) => (v === undefined || v === null ? '(none)' : typeof v === 'string' ? v : canonical(v));

