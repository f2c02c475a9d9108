// Public booking information: clinics with their active doctors, and a doctor's free slots.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isDate } from '../../booking/slots.js';
import { activeDoctors, freeSlots, listClinics } from '../../sync/index.js';
import { ApiError, validationError } from '../errors.js';
import { ClinicList, DateString, errors, IdParams, SlotList } from '../schemas.js';

const bookingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app.medq;

  app.get(
    '/clinics',
    {
      schema: {
        tags: ['booking'],
        summary: 'Clinics with their active doctors, in display order',
        response: { 200: ClinicList },
      },
    },
    async () => ({
      clinics: listClinics(ctx).map((c) => ({
        id: c.id,
        name: c.name,
        did: c.did,
        timezone: c.timezone,
        doctors: activeDoctors(ctx, c.id).map((d) => ({ id: d.id, name: d.name, specialty: d.specialty, display_order: d.displayOrder })),
      })),
    }),
  );

  app.get(
    '/doctors/:id/slots',
    {
      schema: {
        tags: ['booking'],
        summary: "A doctor's free slots on one day (past slots and closed days give none)",
        params: IdParams,
        querystring: Type.Object({ date: DateString }, { additionalProperties: false }),
        response: { 200: SlotList, ...errors(400, 404) },
      },
    },
    async (request) => {
      const { date } = request.query;
      if (!isDate(date)) throw validationError('date is not a calendar date.', [{ field: 'querystring.date', message: 'is not a calendar date' }]);
      const slots = freeSlots(ctx, request.params.id, date);
      if (slots === null) throw new ApiError(404, 'not_found', 'No such doctor.');
      return {
        doctor_id: request.params.id,
        date,
        slots: slots.map((s) => ({ time: s.time, token: s.token, seats_left: s.seatsLeft })),
      };
    },
  );
};

export default bookingRoutes;
