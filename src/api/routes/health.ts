// Liveness and readiness (SPEC §5). Readiness reports the probes' live state: a check is
// "disabled" when its role does not run here (or SMS has no SMPP_URL), and any "down" is a 503.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { renderMetrics } from '../../metrics/index.js';
import { liveness, readiness } from '../../shared/health.js';

const State = Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('disabled')]);
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Object({ db: State, ari: State, smpp: State }),
});

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { health, ctx } = app.medq;

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: 200 while the process runs, with the release and the schema versions',
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            version: Type.String({ description: 'MedQ release (package.json)' }),
            schema_version: Type.Integer({ description: 'Migrations applied to the database' }),
            code_schema_version: Type.Integer({ description: 'Migrations this release ships' }),
          }),
        },
      },
    },
    async () => liveness(ctx.db),
  );

  app.get(
    '/metrics',
    { schema: { tags: ['health'], summary: 'Prometheus metrics (text exposition format)', hide: true } },
    async (_request, reply) => {
      const m = await renderMetrics();
      return reply.type(m.contentType).send(m.body);
    },
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: 200 only when no check is down, else 503',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const r = readiness(health);
      return reply.code(r.status === 'ready' ? 200 : 503).send(r);
    },
  );
};

export default healthRoutes;
