// The clinic's languages and each one's page strings (SPEC §6, issue 13): the patient pages fetch
// these to show themselves in the chosen language. Public and cacheable: no health data here.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../errors.js';
import { errors, LanguageList, WebTextsBody } from '../schemas.js';
import { webTexts } from '../web-texts.js';

/** Texts change only with a deployment; a few minutes of browser caching saves a request per page load. */
const CACHE = 'public, max-age=300';

const languageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app.medq;

  app.get(
    '/languages',
    {
      schema: {
        tags: ['languages'],
        summary: 'The languages the clinic offers (LANGUAGES), the first the default',
        description: 'Each with its name in its own language, for a language switch.',
        response: { 200: LanguageList },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', CACHE);
      return { default: config.languages[0]!, languages: config.languages.map((code) => ({ code, name: webTexts(code).name })) };
    },
  );

  app.get(
    '/languages/:code/web',
    {
      schema: {
        tags: ['languages'],
        summary: "A language's page strings (src/locales/<code>/web.json)",
        description: 'Only languages in LANGUAGES; another is 404 not_found. Answers an ETag and 304 to a matching If-None-Match.',
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 20 }) }),
        response: { 200: WebTextsBody, 304: Type.Null({ description: 'unchanged since the ETag sent' }), ...errors(404) },
      },
    },
    async (request, reply) => {
      const { code } = request.params;
      if (!config.languages.includes(code)) {
        throw new ApiError(404, 'not_found', `This clinic does not offer the language "${code.slice(0, 20)}". It offers: ${config.languages.join(', ')}.`);
      }
      const w = webTexts(code);
      reply.header('cache-control', CACHE);
      reply.header('etag', w.etag);
      if (request.headers['if-none-match'] === w.etag) return reply.code(304).send(null);
      return { language: w.language, texts: w.texts };
    },
  );
};

export default languageRoutes;
