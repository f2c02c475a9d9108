// Types for the parts of ari-client 2.2.0 the benchmarks use (the package ships none): the minimal
// app (bench/minimal-app.ts, the IVR baseline) and bench/ari-rest.ts. MedQ itself no longer uses
// ari-client (src/ari/link.ts and rest.ts speak ARI directly). An ambient script (no top-level
// import/export), so `import ariClient from 'ari-client'` finds it.
// REST operations are generated at run time from Asterisk's own API description; only the ones
// used are declared. They reject with an Error whose message is ARI's JSON body
// (e.g. `{"message":"Channel not found"}`) and carries no status code.
declare module 'ari-client' {
  import type { EventEmitter } from 'node:events';

  namespace ariClient {
    // The JSON shapes are Asterisk's, the same MedQ's own adapter reads.
    type ChannelJson = import('../src/ari/ari-json.js').ChannelJson;
    type PlaybackJson = import('../src/ari/ari-json.js').PlaybackJson;
    /** A WebSocket event as Asterisk sent it (ari-client passes the parsed JSON through). */
    type EventJson = import('../src/ari/ari-json.js').AriEventJson;

    interface Client extends EventEmitter {
      channels: {
        list(): Promise<ChannelJson[]>;
        answer(params: { channelId: string }): Promise<void>;
        hangup(params: { channelId: string; reason?: string }): Promise<void>;
        playWithId(params: {
          channelId: string;
          playbackId: string;
          media: string | string[];
          lang?: string;
        }): Promise<PlaybackJson>;
        setChannelVar(params: { channelId: string; variable: string; value?: string }): Promise<void>;
        continueInDialplan(params: {
          channelId: string;
          context?: string;
          extension?: string;
          priority?: number;
          label?: string;
        }): Promise<void>;
      };
      playbacks: {
        get(params: { playbackId: string }): Promise<PlaybackJson>;
        stop(params: { playbackId: string }): Promise<void>;
      };
      asterisk: {
        getInfo(params?: { only?: string }): Promise<Record<string, unknown>>;
      };
      /**
       * Opens the event WebSocket for `apps` (registering them). Resolves on the first open; on a
       * drop it re-opens by itself with a back-off from 100 ms, doubling, and after 10 failed tries
       * emits `WebSocketMaxRetries` and stops.
       */
      start(apps: string | string[], subscribeAll?: boolean): Promise<void>;
      /** Closes the WebSocket on purpose (no reconnect). */
      stop(): void;
      ping(): void;
    }

    function connect(url: string, user: string, pass: string): Promise<Client>;
  }

  export = ariClient;
}
