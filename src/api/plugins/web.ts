// The patient web pages (another part of the project writes them into web/). Served at / only if
// the folder exists; unknown page URLs fall back to index.html (see the not-found handler).
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';

export default fp(
  async (app, opts: { root: string }) => {
    await app.register(fastifyStatic, {
      root: opts.root,
      prefix: '/',
      index: ['index.html'],
      // Pages change with deployments; let browsers revalidate instead of caching for a day.
      maxAge: 0,
      cacheControl: true,
    });
  },
  { name: 'medq-web' },
);
