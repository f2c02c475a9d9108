// The web pages (web/): the patient pages at /, the reception pages at /staff and the waiting-room
// screen at /display/:clinicId. Served only if the folder exists; unknown page URLs fall back to
// index.html (see the not-found handler).
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

const pages: FastifyPluginAsyncTypebox<{ root: string }> = async (app, opts) => {
  await app.register(fastifyStatic, {
    root: opts.root,
    prefix: '/',
    index: ['index.html'],
    // Pages change with deployments; let browsers revalidate instead of caching for a day.
    maxAge: 0,
    cacheControl: true,
  });

  const html = 'text/html; charset=utf-8';
  app.get('/staff', { schema: { hide: true } }, (_request, reply) => reply.type(html).sendFile('staff.html'));
  app.get('/staff/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/staff'));
  app.get(
    '/display/:clinicId',
    { schema: { hide: true, params: Type.Object({ clinicId: Type.Integer({ minimum: 1 }) }) } },
    (_request, reply) => reply.type(html).sendFile('display.html'),
  );
};

export default fp(pages, { name: 'medq-web' });
