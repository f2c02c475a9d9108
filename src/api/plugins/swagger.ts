// OpenAPI generated from the route schemas (@fastify/swagger), browsable at /docs (Swagger UI).
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'MedQ phone-sync API',
          description: 'Clinic appointments for web and phone (IVR) patients: one account per phone number. Rules, error codes and settings: docs/api.md and docs/settings.md in the MedQ repository.',
          version: '1.0.0',
        },
        tags: [
          { name: 'auth', description: 'registration, phone verification, linking, log-in' },
          { name: 'me', description: 'the logged-in account' },
          { name: 'booking', description: 'clinics, doctors and free slots' },
          { name: 'languages', description: "the clinic's languages and the page strings of each" },
          { name: 'admin', description: 'clinic staff' },
          { name: 'health', description: 'liveness and readiness' },
        ],
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'medq-swagger' },
);
