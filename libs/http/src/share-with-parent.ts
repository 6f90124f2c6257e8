import type { FastifyPluginAsync, FastifyPluginOptions } from 'fastify';

/**
 * Marks a plugin so fastify does not encapsulate it (what `fastify-plugin` does, which is not a direct dependency):
 * its hooks and routes land in the context that registers it, e.g. the request counter must see sibling plugins.
 */
export function shareWithParent<O extends FastifyPluginOptions>(plugin: FastifyPluginAsync<O>, name: string): FastifyPluginAsync<O> {
  const marked = plugin as FastifyPluginAsync<O> & Record<symbol, unknown>;
  marked[Symbol.for('skip-override')] = true;
  marked[Symbol.for('fastify.display-name')] = name;
  return marked;
}
