// Liveness and readiness answers, shared by the api's /healthz and /readyz and the METRICS_PORT
// server of processes without the api role (an ivr-only process per Asterisk needs its own /readyz).
import { codeSchemaVersion, databaseSchemaVersion, type Db } from '../db/client.js';
import { medqVersion } from './version.js';

export type ProbeState = 'up' | 'down';
export type OptionalProbeState = 'up' | 'down' | 'disabled';

export interface HealthProbes {
  db(): ProbeState;
  ari(): OptionalProbeState;
  smpp(): OptionalProbeState;
}

export interface Liveness {
  status: 'ok';
  version: string;
  schema_version: number;
  code_schema_version: number;
}

export function liveness(db: Db): Liveness {
  let schemaVersion = -1; // liveness must answer even while the database is unreachable
  try {
    schemaVersion = databaseSchemaVersion(db).version;
  } catch {
    /* reported by readiness */
  }
  return { status: 'ok', version: medqVersion(), schema_version: schemaVersion, code_schema_version: codeSchemaVersion() };
}

export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: { db: OptionalProbeState; ari: OptionalProbeState; smpp: OptionalProbeState };
}

/** Ready unless a check is down (a probe that throws is down). */
export function readiness(health: HealthProbes): Readiness {
  const probe = <T extends string>(f: () => T): T | 'down' => {
    try {
      return f();
    } catch {
      return 'down';
    }
  };
  const checks = { db: probe(health.db), ari: probe(health.ari), smpp: probe(health.smpp) };
  return { status: Object.values(checks).includes('down') ? 'not_ready' : 'ready', checks };
}
