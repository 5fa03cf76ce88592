/**
 * Build-time stand-in for `zod` in the renderer bundle (aliased in vite.config.ts).
 *
 * The renderer imports shared/api for the route table the typed client reads (method, path) and
 * for types; it never validates with those schemas — the server does, at the boundary. Declaring
 * the schemas still runs when the modules load, so this stand-in accepts any chain
 * (`z.object({…}).extend(…).optional()`) and returns itself. Types are untouched: TypeScript
 * still resolves the real zod. This keeps zod's ~40 KB gzip out of the first screen's JavaScript.
 *
 * INVARIANT: nothing in renderer/src calls parse/safeParse on a shared schema. If that ever
 * changes, drop the alias.
 */
type Stub = ((...args: unknown[]) => Stub) & { [key: string | symbol]: Stub };

const handler: ProxyHandler<() => void> = {
  get: (_target, prop) => (prop === Symbol.toPrimitive ? () => '' : stub),
  apply: () => stub,
  construct: () => stub as unknown as object,
};

const stub = new Proxy(function zodStub() {}, handler) as unknown as Stub;

export const z = stub;
export default stub;
