// What the routes are given: the sync context, the typed config, the health probes and the token
// service. Decorated on the instance as `medq` (app-as-plugin: services load before routes).
import type { Config } from '../config/index.js';
import type { Logger } from '../shared/logger.js';
import type { AccountRow, SyncContext } from '../sync/index.js';
import type { TokenService } from './tokens.js';

import type { HealthProbes } from '../shared/health.js';

export type { HealthProbes, OptionalProbeState, ProbeState } from '../shared/health.js';

export interface AppDeps {
  ctx: SyncContext;
  config: Config;
  logger: Logger;
  health: HealthProbes;
  /** Folder of the patient web pages; default `web/` at the package root. Served only if it exists. */
  webRoot?: string;
}

export interface Services {
  ctx: SyncContext;
  config: Config;
  health: HealthProbes;
  tokens: TokenService;
}

declare module 'fastify' {
  interface FastifyInstance {
    medq: Services;
  }
  interface FastifyRequest {
    /** The account of a valid bearer token; set by the auth pre-handlers. */
    account: AccountRow | null;
  }
}
