/**
 * The baseline of `bench ingest`: a bare fastify route at the same path that parses the same JSON body (fastify's own
 * parser, the same 1 MiB limit as ingest) and answers 202 — the ceiling of any fastify route on this machine. Run as a
 * child process by the bench, so that the load generator and the server do not share a thread. Prints
 * `baseline ready on <url>`.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.post('/v1/heartbeats', async (request, reply) => {
  const body = request.body as { heartbeats?: unknown[] } | null;
  const accepted = Array.isArray(body?.heartbeats) ? body.heartbeats.length : 1;
  return reply.code(202).send({ accepted });
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`baseline ready on ${url}\n`);
const stop = (): void => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
