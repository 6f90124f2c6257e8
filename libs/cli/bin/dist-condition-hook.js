// Module resolve hook of `vigil` with VIGIL_DIST=1: resolves @vigil/* packages through their `vigil-dist` export
// condition (the compiled dist/), as `node --conditions=vigil-dist` would.

/** Adds the `vigil-dist` condition to every resolution. */
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('vigil-dist') ? context.conditions : ['vigil-dist', ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
