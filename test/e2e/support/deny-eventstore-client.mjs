// Node --import hook for tests: resolving `@eventstore/db-client` (the EventStoreDB gRPC stack) throws, naming the
// module that asked for it. A process started with it proves, by running, that it never loads that stack.
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@eventstore/db-client' || specifier.startsWith('@eventstore/db-client/')) {
    throw new Error('DENIED: ' + specifier + ' imported by ' + context.parentURL);
  }
  return nextResolve(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
