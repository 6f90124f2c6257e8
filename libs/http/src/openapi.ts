import type { FastifyPluginAsync, FastifySchema } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
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

/** Where the OpenAPI UI is served (by the process itself: no CDN). */
export const DOCS_PATH = '/docs';

const ROLE_TEXT = {
  agent: 'Role: **agent** (or higher): an agent key beats and says goodbye for its tenant.',
  operator: 'Role: **operator** (or admin): everything on the key tenant’s agents.',
  admin: 'Role: **admin**: keys of every tenant.',
} as const;

const SCHEME_DESCRIPTION = [
  'API key (`Authorization: Bearer <key>`); one tenant per key. Roles, least to most privileged:',
  '`agent` (POST /v1/heartbeats, POST /v1/agents/{id}/goodbye, GET /v1/whoami), `operator` (every route on its tenant’s agents),',
  '`admin` (operator of its own tenant, plus /v1/keys for every tenant). Each route says the least role it needs;',
  'a weaker key gets 403 VIGIL_ERR_FORBIDDEN naming it.',
].join(' ');

/** Drops what the UI's stock CSP allows from other origins (fonts, the validator badge): the page loads only itself. */
function selfOnlyCsp(header: string): string {
  return header
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && d !== 'upgrade-insecure-requests')
    .map((d) => d.replace(/ https:/g, '').replace(/ validator\.swagger\.io/g, ''))
    .join('; ');
}

/**
 * Registers `@fastify/swagger`, serves the document at `GET /openapi.json` and its UI at `GET /docs` (swagger-ui from
 * this package's dependencies, a self-only CSP, no CDN), each route showing its role. Not encapsulated and registered before
 * the service plugins, because swagger collects routes as they are added.
 */
export const openApiPlugin: FastifyPluginAsync<OpenApiPluginOptions> = shareWithParent(async (app, options) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title, version: options.version, ...(options.description ? { description: options.description } : {}) },
      components: { securitySchemes: { [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', description: SCHEME_DESCRIPTION } } },
      security: [{ [BEARER_SCHEME]: [] }],
    },
    // Each authenticated route's least role, from its `config.role`, in its description and as `x-vigil-role`.
    transform: ({ schema, url, route }) => {
      const s = (schema ?? {}) as Record<string, unknown>;
      const open = Array.isArray(s['security']) && (s['security'] as unknown[]).length === 0;
      if (open || s['hide'] === true || !url.startsWith('/v1/')) return { schema, url };
      const role = route.config?.role ?? 'admin';
      const description = typeof s['description'] === 'string' ? `${s['description']}\n\n${ROLE_TEXT[role]}` : ROLE_TEXT[role];
      return { schema: { ...s, description, 'x-vigil-role': role } as FastifySchema, url };
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    uiConfig: { validatorUrl: null, persistAuthorization: false },
    staticCSP: true,
    transformStaticCSP: selfOnlyCsp,
  });
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
