// Liveness and readiness (SPEC §5). Readiness reports the probes' live state: a check is
// "disabled" when its role does not run here (or SMS has no SMPP_URL), and any "down" is a 503.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { codeSchemaVersion, databaseSchemaVersion } from '../../db/client.js';
import { renderMetrics } from '../../metrics/index.js';
import { medqVersion } from '../../shared/version.js';

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
    async () => {
      let schemaVersion = -1; // liveness must answer even while the database is unreachable
      try {
        schemaVersion = databaseSchemaVersion(ctx.db).version;
      } catch {
        /* reported by /readyz */
      }
      return { status: 'ok' as const, version: medqVersion(), schema_version: schemaVersion, code_schema_version: codeSchemaVersion() };
    },
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
      const probe = <T extends string>(f: () => T): T | 'down' => {
        try {
          return f();
        } catch {
          return 'down';
        }
      };
      const checks = { db: probe(health.db), ari: probe(health.ari), smpp: probe(health.smpp) };
      const ready = !Object.values(checks).includes('down');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );
};

export default healthRoutes;
