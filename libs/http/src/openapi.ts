import type { FastifyPluginAsync, FastifySchema } from 'fastify';
import swagger from '@fastify/swagger';
import { ErrorBody } from '@vigil/contracts';
import { z } from 'zod';
import { shareWithParent } from './share-with-parent.ts';

/** Options of the OpenAPI plugin. */
export interface OpenApiPluginOptions {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/** Id of the bearer security scheme in the document. */
export const BEARER_SCHEME = 'bearerApiKey';

/**
 * Registers `@fastify/swagger` and serves the document at `GET /openapi.json`. Not encapsulated and registered before
 * the service plugins, because swagger collects routes as they are added.
 */
export const openApiPlugin: FastifyPluginAsync<OpenApiPluginOptions> = shareWithParent(async (app, options) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title, version: options.version, ...(options.description ? { description: options.description } : {}) },
      components: { securitySchemes: { [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', description: 'API key; one tenant per key' } } },
      security: [{ [BEARER_SCHEME]: [] }],
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}, 'vigil-openapi');

/** JSON Schema (OpenAPI 3.0 dialect) of a zod schema, for route documentation only: validation stays in zod. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json['$schema'];
  return json;
}

/** The parts of a route's documentation, as zod schemas. */
export interface RouteDoc {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly params?: z.ZodType;
  readonly querystring?: z.ZodType;
  readonly body?: z.ZodType;
  /** Success responses by status; every route also documents `4xx`/`5xx` as ErrorBody. */
  readonly response?: Readonly<Record<number, z.ZodType>>;
}

/** A fastify route schema built from zod schemas (documentation only; see `apiScope`). */
export function routeSchema(doc: RouteDoc): FastifySchema {
  const response: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(doc.response ?? {})) response[status] = jsonSchemaOf(schema, 'output');
  response['4xx'] = jsonSchemaOf(ErrorBody, 'output');
  response['5xx'] = jsonSchemaOf(ErrorBody, 'output');
  return {
    summary: doc.summary,
    tags: doc.tags,
    ...(doc.description ? { description: doc.description } : {}),
    ...(doc.params ? { params: jsonSchemaOf(doc.params) } : {}),
    ...(doc.querystring ? { querystring: jsonSchemaOf(doc.querystring) } : {}),
    ...(doc.body ? { body: jsonSchemaOf(doc.body) } : {}),
    response,
  };
}
