// Which recordings exist in Asterisk's sounds folder, so a doctor whose name was never rendered is
// announced by key number instead of silence (media.ts decides what to say instead).
import { existsSync } from 'node:fs';
import path from 'node:path';

/** File formats Asterisk can play a `sound:` from (the ones its format modules commonly provide). */
export const SOUND_EXTENSIONS = ['wav', 'WAV', 'gsm', 'sln', 'sln16', 'ulaw', 'alaw', 'g722', 'wav16', 'g729', 'ogg'] as const;

export const DEFAULT_SOUNDS_DIR = '/usr/share/asterisk/sounds';

export interface SoundIndex {
  /** Whether `<soundsDir>/<lang>/<name>.<ext>` exists for some playable extension. */
  has(lang: string, name: string): boolean;
}

/**
 * Looks on disk, remembering answers for `ttlMs`: a menu names every doctor on each play, and
 * `npm run prompts` may add files while the app runs (picked up after the TTL).
 */
export function soundIndex(soundsDir: string, ttlMs = 30_000, now: () => number = Date.now): SoundIndex {
  const cache = new Map<string, { exists: boolean; at: number }>();
  return {
    has(lang, name) {
      if (name.includes('..') || path.isAbsolute(name)) return false;
      const key = `${lang}/${name}`;
      const hit = cache.get(key);
      const t = now();
      if (hit && t - hit.at < ttlMs) return hit.exists;
      const base = path.join(soundsDir, lang, name);
      const exists = SOUND_EXTENSIONS.some((ext) => existsSync(`${base}.${ext}`));
      cache.set(key, { exists, at: t });
      return exists;
    },
  };
}
