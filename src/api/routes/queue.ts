// The public queue of a clinic (SPEC §11): the token now served per doctor, as JSON and as a
// Server-Sent Events stream for the waiting-room screen. Tokens and doctor names only: nothing
// here may ever name a patient or a phone, since anyone can open it.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { clinicQueue } from '../../sync/index.js';
import { ApiError } from '../errors.js';
import { QueueEvents, queueJson } from '../queue-events.js';
import { errors, IdParams } from '../schemas.js';
import type { Logger } from '../../shared/logger.js';

export const ClinicQueueJson = Type.Object({
  clinic_id: Type.Integer(),
  date: Type.String({ description: "today in the clinic's time zone, YYYY-MM-DD" }),
  doctors: Type.Array(
    Type.Object({
      doctor_id: Type.Integer(),
      name: Type.String(),
      now_serving: Type.Union([Type.String(), Type.Null()], { description: 'the token now served, or null before the first call' }),
    }),
  ),
});

const tags = ['queue'];
const noSuchClinic = () => new ApiError(404, 'not_found', 'No such clinic.');

const queueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app.medq;
  const events = new QueueEvents(ctx, app.log as unknown as Logger);
  const open = new Set<import('node:http').ServerResponse>();
  // Open streams would hold the server open: end them, and drop their sockets, before it closes.
  app.addHook('preClose', async () => {
    events.close();
    for (const res of open) res.destroy();
    open.clear();
  });

  app.get(
    '/clinics/:id/queue',
    {
      schema: {
        tags,
        summary: 'The token now served per active doctor today (public: no patient data)',
        params: IdParams,
        response: { 200: ClinicQueueJson, ...errors(400, 404) },
      },
    },
    async (request) => {
      const q = clinicQueue(ctx, request.params.id);
      if (!q) throw noSuchClinic();
      return queueJson(q);
    },
  );

  app.get(
    '/clinics/:id/queue/events',
    {
      schema: {
        tags,
        summary: 'Server-Sent Events: event `queue` with the same JSON as /queue, at once and after every change',
        description:
          'A text/event-stream. One `queue` event right after connecting, then one per change made by any api process (within about a second). Comment lines are heartbeats. Reconnect with EventSource as usual.',
        params: IdParams,
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'text/event-stream' }), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const clinicId = request.params.id;
      if (!clinicQueue(ctx, clinicId)) throw noSuchClinic();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // A stream is its own connection: when it ends (or the server closes) the socket goes too,
        // instead of idling in keep-alive and holding a closing server open.
        connection: 'close',
        // nginx and similar proxies would otherwise buffer the stream.
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        'x-request-id': request.id,
      });
      // A dropped screen reconnects after two seconds (EventSource does it by itself).
      res.write('retry: 2000\n\n');
      const unsubscribe = events.subscribe(clinicId, {
        event: (data) => res.write(`event: queue\ndata: ${data}\n\n`),
        heartbeat: () => res.write(': ping\n\n'),
        end: () => res.end(),
      }, request.log as unknown as Logger);
      open.add(res);
      const gone = () => {
        unsubscribe();
        open.delete(res);
      };
      request.raw.on('close', gone);
      res.on('close', gone);
    },
  );
};

export default queueRoutes;
