// The ARI requests a call session makes, each bounded by a deadline. A channel or playback that
// is already gone answers 404; for a call that is ending that is expected, so callers get a
// `gone` result instead of an exception to handle.
import type { ChannelJson } from './ari-json.js';
import { errorText, type AriLink } from './link.js';
import { pathWithQuery, type AriMethod, type AriRest } from './rest.js';

export type ChannelSnapshot = ChannelJson;

/** What a session needs from Asterisk; an interface so the session can be tested without one. */
export interface AriOps {
  answer(channelId: string): Promise<void>;
  /** One playback of several media, with an id chosen here (ARI keeps ids globally). */
  play(channelId: string, playbackId: string, media: readonly string[], lang: string): Promise<void>;
  stopPlayback(playbackId: string): Promise<void>;
  /** Sets the channel's language (CHANNEL(language)): what Asterisk itself plays on it follows. */
  setLanguage(channelId: string, lang: string): Promise<void>;
  /** Whether a playback still exists (after a reconnect: did it end while we were away?). */
  playbackExists(playbackId: string): Promise<boolean>;
  hangup(channelId: string): Promise<void>;
  /** Leaves Stasis into the dialplan at context,s,1 with these channel variables set first. */
  continueInDialplan(channelId: string, context: string, variables: Record<string, string>): Promise<void>;
  listChannels(): Promise<ChannelSnapshot[]>;
}

/** ARI answered 404: the channel or playback no longer exists. */
export function isNotFound(err: unknown): boolean {
  return /not found/i.test(errorText(err));
}

const enc = encodeURIComponent;

/**
 * The session's operations: over the link's WebSocket when this Asterisk answers REST there,
 * else over the lean HTTP client (src/ari/rest.ts). The link gates them: with no WebSocket open
 * or opening they fail at once with "ARI is not connected".
 */
export function createLeanAriOps(link: AriLink, rest: AriRest): AriOps {
  const call = <T>(what: string, method: AriMethod, path: string, query?: Record<string, string | number>): Promise<T> => {
    try {
      link.assertAvailable();
    } catch (err) {
      return Promise.reject(err);
    }
    if (link.restOverSocket) return link.request<T>(what, method, pathWithQuery(path, query));
    return rest.request<T>(what, method, path, query);
  };
  const setVar = (channelId: string, variable: string, value: string) =>
    call<void>('set variable', 'POST', `/channels/${enc(channelId)}/variable`, { variable, value });
  return {
    answer: (channelId) => call('answer', 'POST', `/channels/${enc(channelId)}/answer`),
    play: async (channelId, playbackId, media, lang) => {
      // ARI reads a list parameter as one comma-separated value.
      await call('play', 'POST', `/channels/${enc(channelId)}/play/${enc(playbackId)}`, { media: media.join(','), lang });
    },
    setLanguage: async (channelId, lang) => {
      await call('set language', 'POST', `/channels/${enc(channelId)}/variable`, { variable: 'CHANNEL(language)', value: lang });
    },
    stopPlayback: async (playbackId) => {
      try {
        await call('stop playback', 'DELETE', `/playbacks/${enc(playbackId)}`);
      } catch (err) {
        if (!isNotFound(err)) throw err; // already finished: fine
      }
    },
    playbackExists: async (playbackId) => {
      try {
        await call('get playback', 'GET', `/playbacks/${enc(playbackId)}`);
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
    hangup: async (channelId) => {
      try {
        await call('hangup', 'DELETE', `/channels/${enc(channelId)}`, { reason: 'normal' });
      } catch (err) {
        if (!isNotFound(err)) throw err; // already gone: fine
      }
    },
    continueInDialplan: async (channelId, context, variables) => {
      for (const [variable, value] of Object.entries(variables)) await setVar(channelId, variable, value);
      await call('continue', 'POST', `/channels/${enc(channelId)}/continue`, { context, extension: 's', priority: 1 });
    },
    listChannels: () => call<ChannelSnapshot[]>('list channels', 'GET', '/channels'),
  };
}
