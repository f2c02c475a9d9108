// Decorates the instance with the services the routes use, and the request with its account.
import fp from 'fastify-plugin';
import type { Services } from '../services.js';

export default fp(
  async (app, opts: { services: Services }) => {
    app.decorate('medq', opts.services);
    app.decorateRequest('account', null);
  },
  { name: 'medq-services' },
);
