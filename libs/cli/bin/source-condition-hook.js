// Module resolve hook of `vigil` run from sources: resolves @vigil/sdk through its `vigil-source` export condition
// (its TypeScript sources) instead of its published dist/, as `node --conditions=vigil-source` would.

/** Adds the `vigil-source` condition to every resolution. */
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('vigil-source') ? context.conditions : ['vigil-source', ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
