// A lean ARI REST client for the calls a session makes (issue 10). ari-client builds every
// request through swagger-client (parameter validation, model lookups, `request`) and opened a
// new connection per request; here each call is one keep-alive HTTP request straight to
// ARI_URL/ari/…. Errors keep ari-client's shape: a rejected request's message is ARI's own body
// (e.g. `{"message":"Channel not found"}`), which `isNotFound` and the session read.
import http from 'node:http';
import https from 'node:https';
import { TimeoutError } from './time.js';

export interface AriRestOptions {
  url: string;
  username: string;
  password: string;
  /** Deadline of each request; a late request is aborted. */
  timeoutMs: number;
  /** Connections at most (Asterisk allows `sessionlimit`, 100, in all). */
  maxSockets: number;
}

export type AriMethod = 'GET' | 'POST' | 'DELETE';

export interface AriRest {
  /** `path` below /ari, already encoded; resolves with the parsed JSON body (undefined if none). */
  request<T = unknown>(what: string, method: AriMethod, path: string, query?: Record<string, string | number>): Promise<T>;
  /** Connections carrying a request now (at most maxSockets; the rest wait in the pool). */
  socketsInUse(): number;
  close(): void;
}

/** `path` with its query string (values URL-encoded), as ARI takes it over HTTP or the WebSocket. */
export function pathWithQuery(path: string, query?: Record<string, string | number>): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) q.append(k, String(v));
  return `${path}?${q.toString()}`;
}

export function createAriRest(opts: AriRestOptions): AriRest {
  const base = new URL(opts.url.replace(/\/+$/, '') + '/ari');
  const secure = base.protocol === 'https:';
  const mod = secure ? https : http;
  // Asterisk closes an idle connection after session_keep_alive (15 s by default); ours go first.
  const agent = new mod.Agent({ keepAlive: true, maxSockets: opts.maxSockets, timeout: 10_000 });
  const auth = 'Basic ' + Buffer.from(`${opts.username}:${opts.password}`).toString('base64');
  const headers = { authorization: auth, accept: 'application/json' };
  const prefix = base.pathname;

  const once = <T>(what: string, method: AriMethod, path: string, retry: boolean): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let settled = false;
      let answered = false;
      const req = mod.request(
        { agent, host: base.hostname, port: base.port || (secure ? 443 : 80), method, path: prefix + path, headers },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            const body = chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              try {
                resolve((body ? JSON.parse(body) : undefined) as T);
              } catch {
                reject(new Error(`ARI ${what}: not JSON`));
              }
            } else reject(new Error(body || `ARI ${what}: HTTP ${status}`));
          });
        },
      );
      function fail(err: Error & { code?: string }): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // A kept-alive connection the server closed as we reused it: the request never reached
        // Asterisk, so it is sent once more on a fresh connection.
        if (retry && !answered && req.reusedSocket && err.code === 'ECONNRESET') once<T>(what, method, path, false).then(resolve, reject);
        else reject(err);
      }
      const timer = setTimeout(() => {
        fail(new TimeoutError(`ARI ${what}`, opts.timeoutMs));
        req.destroy();
      }, opts.timeoutMs);
      req.on('error', fail);
      req.end();
    });

  return {
    request<T>(what: string, method: AriMethod, path: string, query?: Record<string, string | number>): Promise<T> {
      return once<T>(what, method, pathWithQuery(path, query), true);
    },
    socketsInUse: () => Object.values(agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0),
    close() {
      agent.destroy();
    },
  };
}
