// The JSON Asterisk's ARI sends, as far as the adapter reads it: events arrive on the WebSocket as
// plain objects (parsed once, src/ari/link.ts); channel lists come from REST (src/ari/rest.ts).

export interface ChannelJson {
  id: string;
  name: string;
  state: string;
  caller: { name: string; number: string };
  connected?: { name: string; number: string };
  dialplan: { context: string; exten: string; priority: number; app_name?: string; app_data?: string };
  creationtime: string;
  language?: string;
}

export interface PlaybackJson {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language?: string;
  state: string;
}

/** A WebSocket event as Asterisk sent it. */
export interface AriEventJson {
  type: string;
  application: string;
  timestamp: string;
  channel?: ChannelJson;
  playback?: PlaybackJson;
  digit?: string;
  args?: string[];
  [key: string]: unknown;
}
