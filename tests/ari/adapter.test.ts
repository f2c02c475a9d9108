// The ARI adapter's parts without Asterisk: a call session driven by a fake ARI (what it asks
// Asterisk to do, in which order, and what reaches the database), the data effects, the sound
// index, the say-type media rewrite, the terminal phone's text, the prompt renderer, and the
// link's reconnect loop against a server that is not Asterisk.
import http from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { inStasisOf, startIvrRole } from '../../src/ari/index.js';
import { AriLink } from '../../src/ari/link.js';
import { isNotFound, type AriOps, type ChannelSnapshot } from '../../src/ari/ops.js';
import { createAriRest } from '../../src/ari/rest.js';
import { joinSpoken, mediaText, NO_NAMES, SpokenLine, type NameBook } from '../../src/ari/phone-text.js';
import { numberSounds, stoppableMedia } from '../../src/ari/say-sounds.js';
import { CallSession, type SessionDeps } from '../../src/ari/session.js';
import { soundIndex } from '../../src/ari/sounds.js';
import { runSyncEffect } from '../../src/ari/sync-effects.js';
import { normalizePhone } from '../../src/phone/index.js';
import { phoneLanguage, registerAccount, setPhoneLanguage } from '../../src/sync/index.js';
import { checkTools, MANIFEST_NAME, MissingToolError, renderPrompts } from '../../src/ivr/prompts-render.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { memoryLogger, sleep } from './support-ivr.js';

// ── A fake ARI ──────────────────────────────────────────────────────────────────────────────────

type OpCall = { op: string; args: unknown[] };

class FakeAri implements AriOps {
  readonly calls: OpCall[] = [];
  channels: ChannelSnapshot[] = [];
  failPlay = false;
  answerDelayMs = 0;
  livePlaybacks = new Set<string>();

  #rec(op: string, ...args: unknown[]): void {
    this.calls.push({ op, args });
  }
  ops(name: string): OpCall[] {
    return this.calls.filter((c) => c.op === name);
  }
  plays(): { id: string; media: string[] }[] {
    return this.ops('play').map((c) => ({ id: c.args[1] as string, media: c.args[2] as string[] }));
  }
  lastPlay(): { id: string; media: string[] } {
    const p = this.plays().at(-1);
    if (!p) throw new Error('nothing played');
    return p;
  }
  async answer(channelId: string) {
    this.#rec('answer', channelId);
    if (this.answerDelayMs) await sleep(this.answerDelayMs);
  }
  async play(channelId: string, playbackId: string, media: readonly string[], lang: string) {
    this.#rec('play', channelId, playbackId, [...media], lang);
    if (this.failPlay) throw new Error('{"message":"Channel not found"}');
    this.livePlaybacks.add(playbackId);
  }
  async setLanguage(channelId: string, lang: string) {
    this.#rec('setLanguage', channelId, lang);
  }
  async stopPlayback(playbackId: string) {
    this.#rec('stopPlayback', playbackId);
    this.livePlaybacks.delete(playbackId);
  }
  async playbackExists(playbackId: string) {
    this.#rec('playbackExists', playbackId);
    return this.livePlaybacks.has(playbackId);
  }
  async hangup(channelId: string) {
    this.#rec('hangup', channelId);
  }
  async continueInDialplan(channelId: string, context: string, variables: Record<string, string>) {
    this.#rec('continueInDialplan', channelId, context, variables);
  }
  async listChannels() {
    return this.channels;
  }
}

/** Waits until `pred` holds (the session works through promises and timers). */
async function until(pred: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const medq = (id: string) => `sound:medq/${id}`;

describe('CallSession (fake ARI, real SQLite)', () => {
  let t: TestDb;
  let ari: FakeAri;
  let deps: SessionDeps;
  const holds = () => t.db.$client.prepare('select * from slot_holds').all();
  const appointments = () => t.db.$client.prepare('select doctor_id, date, slot_time, token_number, person_phone from appointments').all();

  beforeEach(() => {
    t = createTestDb();
    ari = new FakeAri();
    deps = {
      ctx: t.ctx,
      ops: ari,
      sounds: { has: () => true },
      logger: memoryLogger().logger,
      receptionContext: 'medq-reception',
      playbackLimitMs: 60_000,
      flow: {
        menuTimeoutMs: 60,
        receptionEndpoint: 'PJSIP/reception',
        normalizePhone: (raw) => {
          const r = normalizePhone(raw, 'IN');
          return r.ok ? r.phone : null;
        },
      },
    };
  });
  afterEach(() => t.close());

  const arrival = { callerId: '+919876543210', dialled: '7000' };

  it('answers, then greets with the clinic name and the main menu in one playback with its own id', async () => {
    const s = new CallSession('ch-1', deps);
    await s.begin(arrival);
    await until(() => ari.plays().length === 1, 'the greeting');
    expect(ari.calls[0]).toEqual({ op: 'answer', args: ['ch-1'] });
    const p = ari.lastPlay();
    expect(p.id).toBe('ch-1-p1');
    expect(p.media).toEqual([medq('welcome'), medq('clinic-1'), medq('main-menu'), medq('reception-option')]);
    expect(ari.ops('play')[0]!.args[3]).toBe('en');
  });

  it('LANGUAGES=en,hi: the phone\'s remembered language is loaded before the first prompt; none remembered: the offer', async () => {
    deps.flow = { ...deps.flow, languages: ['en', 'hi'] };
    const fresh = new CallSession('ch-l1', deps);
    await fresh.begin(arrival);
    await until(() => ari.plays().length === 1, 'the greeting');
    expect(ari.lastPlay().media).toEqual([medq('welcome'), medq('clinic-1'), medq('offer-en-1'), medq('offer-hi-2')]);
    expect(ari.ops('play')[0]!.args[3]).toBe('en');
    fresh.dtmf('2'); // the caller picks Hindi: the phone has no account yet, so nothing is kept but the call is Hindi
    await until(() => ari.plays().length === 2, 'the main menu');
    expect(ari.ops('play')[1]!.args[3]).toBe('hi');
    expect(ari.ops('setLanguage')).toEqual([{ op: 'setLanguage', args: ['ch-l1', 'hi'] }]);
    await fresh.hangUp();

    const reg = registerAccount(t.ctx, { phone: arrival.callerId, name: 'Asha Rao', age: 34, username: 'asha', passwordHash: 'x' });
    expect(reg.ok).toBe(true);
    expect(setPhoneLanguage(t.ctx, arrival.callerId, 'hi')).toBe('saved');
    const known = new CallSession('ch-l2', deps);
    await known.begin(arrival);
    await until(() => ari.plays().length === 3, 'the greeting');
    expect(ari.lastPlay().media).toEqual([medq('welcome'), medq('clinic-1'), medq('main-menu'), medq('language-option'), medq('reception-option')]);
    expect(ari.ops('play')[2]!.args[3]).toBe('hi');
    known.dtmf('8');
    await until(() => ari.plays().length === 4, 'the offer');
    known.dtmf('1');
    await until(() => ari.plays().length === 5, 'the main menu');
    expect(ari.ops('play')[4]!.args[3]).toBe('en');
    await until(() => phoneLanguage(t.ctx, arrival.callerId) === 'en', 'the new choice kept');
    await known.hangUp();
  });

  it('keys pressed while the call is being answered are kept and used (type-ahead 1 1 1 books)', async () => {
    ari.answerDelayMs = 50;
    const s = new CallSession('ch-2', deps);
    const begun = s.begin(arrival);
    for (const d of '111') s.dtmf(d);
    await begun;
    await until(() => appointments().length === 1, 'the booking');
    await until(() => ari.plays().some((p) => p.media.includes(medq('confirmed'))), 'the confirmation');
    expect(appointments()).toEqual([{ doctor_id: 1, date: '2026-11-30', slot_time: '09:00', token_number: 'S-1', person_phone: '+919876543210' }]);
    const confirmation = ari.lastPlay().media;
    // The token S-1 is said with sound files (letters/s, digits/1), never as say-type media.
    expect(confirmation.slice(confirmation.indexOf(medq('your-token-is')))).toEqual([
      medq('your-token-is'),
      'sound:letters/s',
      'sound:digits/1',
      medq('sms-will-follow'),
      medq('goodbye'),
    ]);
    expect(confirmation.some((m) => /^(number|digits|characters):/.test(m))).toBe(false);
    expect(holds()).toEqual([]);
  });

  it('a key during a prompt stops it before the next prompt starts (barge-in)', async () => {
    const s = new CallSession('ch-3', deps);
    await s.begin(arrival);
    await until(() => ari.plays().length === 1, 'the greeting');
    s.dtmf('1');
    await until(() => ari.plays().length === 2, 'the doctor menu');
    const ops = ari.calls.map((c) => c.op);
    expect(ops.slice(ops.indexOf('stopPlayback'))).toEqual(['stopPlayback', 'play']);
    expect(ari.ops('stopPlayback')[0]!.args).toEqual(['ch-3-p1']);
    expect(ari.lastPlay().media[0]).toBe(medq('doctor-menu-intro'));
  });

  it('a prompt that cannot start still lets the menu time out and re-prompt, then says goodbye and hangs up', async () => {
    ari.failPlay = true;
    deps.flow.receptionEndpoint = null;
    const s = new CallSession('ch-4', deps);
    await s.begin(arrival);
    await until(() => ari.ops('hangup').length === 1, 'the hang-up after three silent menus');
    const first = ari.plays().map((p) => p.media[0]);
    expect(first).toEqual([medq('welcome'), medq('no-input'), medq('no-input'), medq('no-input')]);
    expect(ari.lastPlay().media.at(-1)).toBe(medq('goodbye'));
  });

  it('a hang-up at the slot offer releases the hold and ends the session; nothing is asked of Asterisk after it', async () => {
    const s = new CallSession('ch-5', deps);
    await s.begin(arrival);
    s.dtmf('1');
    s.dtmf('1');
    await until(() => ari.plays().some((p) => p.media[0] === medq('slot-offer-intro')), 'the offer');
    expect(holds()).toHaveLength(1);
    const before = ari.calls.length;
    s.gone('StasisEnd');
    await s.finished;
    expect(s.phase).toBe('finished');
    expect(holds()).toEqual([]);
    expect(ari.calls.slice(before)).toEqual([]);
    s.dtmf('1'); // late events are ignored
    expect(appointments()).toEqual([]);
  });

  it('a booking issued just before the hang-up commits; the session ends only after it', async () => {
    const s = new CallSession('ch-6', deps);
    await s.begin(arrival);
    s.dtmf('1');
    s.dtmf('1');
    await until(() => ari.plays().some((p) => p.media[0] === medq('slot-offer-intro')), 'the offer');
    s.dtmf('1');
    s.gone('ChannelHangupRequest'); // the booking is hashing a password meanwhile
    await s.finished;
    expect(appointments()).toHaveLength(1);
    expect(holds()).toEqual([]);
    expect(ari.plays().some((p) => p.media.includes(medq('confirmed')))).toBe(false);
  });

  it('0 transfers: continues into [medq-reception] with MEDQ_RECEPTION set to the endpoint', async () => {
    const s = new CallSession('ch-7', deps);
    await s.begin(arrival);
    s.dtmf('0');
    await until(() => ari.plays().length === 2, 'the transfer notice');
    expect(ari.lastPlay().media).toEqual([medq('transferring')]);
    s.playbackFinished(ari.lastPlay().id);
    await until(() => ari.ops('continueInDialplan').length === 1, 'the transfer');
    expect(ari.ops('continueInDialplan')[0]!.args).toEqual(['ch-7', 'medq-reception', { MEDQ_RECEPTION: 'PJSIP/reception' }]);
    expect(s.flowEnded).toBe(true);
  });

  it('after a reconnect: a playback that ended unseen is reported finished; a vanished channel is gone', async () => {
    const s = new CallSession('ch-8', deps);
    await s.begin(arrival);
    await until(() => ari.plays().length === 1, 'the greeting');
    ari.livePlaybacks.clear(); // it ended while the WebSocket was away
    await s.resync(new Set(['ch-8']));
    expect(ari.ops('playbackExists')).toHaveLength(1);
    // The menu's timer runs now: silence re-prompts.
    await until(() => ari.plays().length === 2, 'the re-prompt');
    expect(ari.lastPlay().media[0]).toBe(medq('no-input'));
    await s.resync(new Set());
    await s.finished;
    expect(s.phase).toBe('finished');
  });

  it('no clinic in the database: the call is hung up unanswered', async () => {
    t.db.$client.exec('delete from schedules; delete from doctors; delete from clinics;');
    const s = new CallSession('ch-9', deps);
    await s.begin(arrival);
    await s.finished;
    expect(ari.calls.map((c) => c.op)).toEqual(['hangup']);
  });

  it('a doctor without a name recording is announced by key number, never by silence', async () => {
    deps.sounds = { has: (_lang, name) => name !== 'medq/doctor-2' };
    const s = new CallSession('ch-10', deps);
    await s.begin(arrival);
    s.dtmf('1');
    await until(() => ari.plays().length === 2, 'the doctor menu');
    const media = ari.lastPlay().media;
    const at = media.indexOf(medq('press-1'));
    expect(media.slice(at + 1, at + 4)).toEqual([medq('doctor-number'), 'sound:digits/2', medq('doctor-2-specialty')]);
  });
});

describe('data effects', () => {
  it('an exception becomes the flow\'s "error" outcome, reported once', async () => {
    const t = createTestDb();
    try {
      const broken = { ...t.ctx, db: { transaction: () => { throw new Error('disk I/O error'); } } as unknown as typeof t.ctx.db };
      const errors: string[] = [];
      const call = { ctx: broken, holder: 'c1', timezone: 'Asia/Kolkata' };
      const onError = (e: unknown) => errors.push(String(e));
      expect(await runSyncEffect(call, { type: 'offerSlot', doctorId: 1 }, onError)).toEqual({ type: 'slotOfferFailed', code: 'error' });
      expect(await runSyncEffect(call, { type: 'cancel', appointmentId: 1, phone: '+919876543210' }, onError)).toEqual({ type: 'cancelResult', ok: false, code: 'error' });
      expect(await runSyncEffect(call, { type: 'releaseHold' }, onError)).toBeNull();
      expect(errors).toHaveLength(3);
      // Expected failures are codes, not errors.
      const ok = { ctx: t.ctx, holder: 'c2', timezone: 'Asia/Kolkata' };
      expect(await runSyncEffect(ok, { type: 'offerSlot', doctorId: 999 })).toEqual({ type: 'slotOfferFailed', code: 'not_found' });
      expect(await runSyncEffect(ok, { type: 'book', doctorId: 1, date: '2026-11-30', time: '09:00', phone: 'not a phone' })).toEqual({
        type: 'bookingResult',
        ok: false,
        code: 'invalid_phone',
      });
    } finally {
      t.close();
    }
  });
});

describe('sounds, media and text', () => {
  it('soundIndex finds a recording in any playable format and refuses paths out of the folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'medq-sounds-'));
    try {
      const medqDir = path.join(dir, 'en', 'medq');
      spawnSync('mkdir', ['-p', medqDir]);
      writeFileSync(path.join(medqDir, 'doctor-1.wav'), '');
      writeFileSync(path.join(medqDir, 'doctor-2.gsm'), '');
      let now = 0;
      const idx = soundIndex(dir, 1_000, () => now);
      expect(idx.has('en', 'medq/doctor-1')).toBe(true);
      expect(idx.has('en', 'medq/doctor-2')).toBe(true);
      expect(idx.has('en', 'medq/doctor-3')).toBe(false);
      expect(idx.has('en', '../en/medq/doctor-1')).toBe(false);
      writeFileSync(path.join(medqDir, 'doctor-3.wav'), '');
      expect(idx.has('en', 'medq/doctor-3')).toBe(false); // remembered
      now = 2_000;
      expect(idx.has('en', 'medq/doctor-3')).toBe(true); // looked again after the TTL
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('inStasisOf tells channels parked in our Stasis app', () => {
    const ch = (app_name: string, app_data: string) =>
      ({ id: 'x', dialplan: { context: 'medq-inbound', exten: '7000', priority: 1, app_name, app_data } }) as ChannelSnapshot;
    expect(inStasisOf(ch('Stasis', 'medq,7000'), 'medq')).toBe(true);
    expect(inStasisOf(ch('Stasis', 'medq-harness,caller'), 'medq')).toBe(false);
    expect(inStasisOf(ch('Dial', 'medq,7000'), 'medq')).toBe(false);
    expect(inStasisOf(ch('', ''), 'medq')).toBe(false);
  });

  it('numbers, digits and characters become stoppable sound files (English), as say.c would say them', () => {
    const n = (x: number) => numberSounds(x).map((s) => s.replace('sound:digits/', ''));
    expect(n(0)).toEqual(['0']);
    expect(n(7)).toEqual(['7']);
    expect(n(13)).toEqual(['13']);
    expect(n(20)).toEqual(['20']);
    expect(n(45)).toEqual(['40', '5']);
    expect(n(105)).toEqual(['1', 'hundred', '5']);
    expect(n(2026)).toEqual(['2', 'thousand', '20', '6']);
    expect(n(1_500_000)).toEqual(['1', 'million', '5', 'hundred', 'thousand']);
    expect(stoppableMedia(['sound:medq/at', 'number:10', 'sound:digits/oh', 'number:5', 'digits:98#', 'characters:S-3'], 'en')).toEqual([
      'sound:medq/at',
      'sound:digits/10',
      'sound:digits/oh',
      'sound:digits/5',
      'sound:digits/9',
      'sound:digits/8',
      'sound:digits/pound',
      'sound:letters/s',
      'sound:letters/dash',
      'sound:digits/3',
    ]);
    expect(stoppableMedia(['number:10'], 'fr')).toEqual(['number:10']);
  });

  it('the terminal phone prints what the caller hears', () => {
    const names: NameBook = { clinics: new Map([[1, 'MedQ Demo Clinic']]), doctors: new Map([[2, { name: 'Dr. Patel', specialty: 'Paediatrics' }]]) };
    const say = (media: string[]) => joinSpoken(media.map((m) => mediaText(m, names)));
    expect(say([medq('welcome'), medq('clinic-1')])).toBe('Welcome to MedQ Demo Clinic');
    expect(say([medq('doctor-2'), medq('doctor-2-specialty'), medq('doctor-9')])).toBe('Dr. Patel Paediatrics [doctor 9]');
    const date = ['sound:digits/day-3', 'sound:digits/20', 'sound:digits/h-2', 'sound:digits/mon-11'];
    expect(say(date)).toBe('Wednesday 22nd December');
    expect(say(['sound:digits/10', 'sound:digits/oh', 'sound:digits/5', 'sound:digits/a-m'])).toBe('10:05 a.m.');
    expect(say(['sound:digits/4', 'sound:digits/40', 'sound:digits/5', 'sound:digits/p-m'])).toBe('4:45 p.m.');
    expect(say(['sound:digits/9', 'sound:digits/oclock'])).toBe("9 o'clock");
    expect(say(['sound:letters/s', 'sound:digits/20', 'sound:digits/1'])).toBe('S 21');
    expect(say(['number:12', 'digits:987'])).toBe('12 9 8 7');
    // Streamed as each medium starts, the line ends up the same.
    let out = '';
    const line = new SpokenLine((s) => (out += s));
    for (const m of ['sound:medq/at', 'sound:digits/10', 'sound:digits/40', 'sound:digits/5', 'sound:digits/a-m']) line.add(mediaText(m));
    line.end();
    expect(out).toBe('at 10:45 a.m.');
  });

  it('the terminal phone prints Hindi text for Hindi media', () => {
    const say = (media: string[]) => joinSpoken(media.map((m) => mediaText(m, NO_NAMES, 'hi')));
    expect(say([medq('welcome'), medq('our-clinic')])).toBe('नमस्कार! आपका स्वागत है हमारे क्लिनिक में');
    expect(say([medq('v-day-3'), medq('v-n-2'), medq('v-mon-11')])).toBe('बुधवार दो दिसंबर');
    expect(say([medq('v-period-1'), medq('v-n-10'), medq('v-past'), medq('v-n-30'), medq('v-minutes')])).toBe('सुबह दस बजकर तीस मिनट');
    expect(say([medq('offer-en-1'), medq('offer-hi-2')])).toBe('For English, press 1. हिंदी के लिए 2 दबाएँ।');
  });
});

// ── Prompt rendering (espeak-ng + sox) ────────────────────────────────────────────────────────────

const ci = !!process.env['CI'] && process.env['CI'] !== 'false' && process.env['CI'] !== '0';
const haveTools = (() => {
  try {
    checkTools();
    return true;
  } catch (e) {
    if (ci) throw e; // under CI the renderer must be tested, not skipped
    console.warn(`[prompts] SKIPPING render tests: ${String(e)}`);
    return false;
  }
})();

describe('prompt rendering', () => {
  it('names the missing tool', () => {
    expect(() => checkTools({ espeak: 'espeak-ng-not-installed', sox: 'sox' })).toThrow(MissingToolError);
    expect(() => checkTools({ espeak: 'espeak-ng-not-installed', sox: 'sox' })).toThrow(/espeak-ng-not-installed/);
  });

  it.skipIf(!haveTools)(
    'writes 8 kHz mono 16-bit WAV, skips unchanged texts, re-renders changed ones, never touches a clinic recording',
    async () => {
      const out = mkdtempSync(path.join(tmpdir(), 'medq-prompts-'));
      try {
        const dir = path.join(out, 'en', 'medq');
        const events: string[] = [];
        const run = (prompts: { id: string; text: string }[]) =>
          renderPrompts({ outDir: out, lang: 'en', prompts, onFile: (e) => events.push(`${e.action} ${e.id}`) });

        let r = await run([
          { id: 'goodbye', text: 'Thank you for calling. Goodbye.' },
          { id: 'doctor-1', text: 'Dr. Sharma' },
          { id: 'doctor-2', text: 'Dr. Patel' },
          { id: 'welcome', text: 'Welcome to' },
        ]);
        expect(r.written.sort()).toEqual(['doctor-1', 'doctor-2', 'goodbye', 'welcome']);
        const wav = readFileSync(path.join(dir, 'goodbye.wav'));
        expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
        expect(wav.readUInt16LE(20)).toBe(1); // PCM
        expect(wav.readUInt16LE(22)).toBe(1); // mono
        expect(wav.readUInt32LE(24)).toBe(8000);
        expect(wav.readUInt16LE(34)).toBe(16);
        expect(wav.length).toBeGreaterThan(8000); // more than half a second of speech

        // The clinic replaces two prompts with recordings of its own.
        writeFileSync(path.join(dir, 'welcome.wav'), 'clinic recording');
        writeFileSync(path.join(dir, 'doctor-2.gsm'), 'clinic recording');
        r = await run([
          { id: 'goodbye', text: 'Thank you for calling. Goodbye.' },
          { id: 'doctor-1', text: 'Dr. Sharma Rao' }, // renamed
          { id: 'doctor-2', text: 'Dr. Patel' },
          { id: 'welcome', text: 'Welcome to' },
          { id: 'doctor-4', text: 'Dr. Khan' }, // new
        ]);
        expect(r.unchanged).toEqual(['goodbye']);
        expect(r.written.sort()).toEqual(['doctor-1', 'doctor-4']);
        expect(r.kept.sort()).toEqual(['doctor-2', 'welcome']);
        expect(r.removed).toEqual(['doctor-2']); // ours, beside the clinic's .gsm: theirs plays
        expect(readFileSync(path.join(dir, 'welcome.wav'), 'utf8')).toBe('clinic recording');
        expect(readFileSync(path.join(dir, 'doctor-2.gsm'), 'utf8')).toBe('clinic recording');
        expect(existsSync(path.join(dir, 'doctor-2.wav'))).toBe(false);

        // A doctor removed from the database: our file goes, the manifest forgets it.
        r = await run([{ id: 'goodbye', text: 'Thank you for calling. Goodbye.' }]);
        expect(r.removed.sort()).toEqual(['doctor-1', 'doctor-4']);
        expect(existsSync(path.join(dir, 'welcome.wav'))).toBe(true);
        const manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST_NAME), 'utf8')) as { files: Record<string, unknown> };
        expect(Object.keys(manifest.files)).toEqual(['goodbye']);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
    30_000,
  );

  it.skipIf(!haveTools)(
    'a prompt in another language\'s voice (the offer) is rendered with it, and a voice change re-renders it',
    async () => {
      const out = mkdtempSync(path.join(tmpdir(), 'medq-prompts-'));
      try {
        const run = (voice: string) =>
          renderPrompts({
            outDir: out,
            lang: 'en',
            voice: 'en-gb',
            prompts: [
              { id: 'offer-en-1', text: 'For English, press 1.' },
              { id: 'offer-hi-2', text: 'हिंदी के लिए 2 दबाएँ।', voice },
            ],
          });
        let r = await run('hi');
        expect(r.written.sort()).toEqual(['offer-en-1', 'offer-hi-2']);
        const hindi = readFileSync(path.join(out, 'en', 'medq', 'offer-hi-2.wav'));
        expect(hindi.length).toBeGreaterThan(8000); // spoken, not skipped as unreadable
        r = await run('hi');
        expect(r.unchanged.sort()).toEqual(['offer-en-1', 'offer-hi-2']);
        r = await run('hi+f3');
        expect(r.written).toEqual(['offer-hi-2']);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
    30_000,
  );
});

// ── The lean REST client ──────────────────────────────────────────────────────────────────────────

describe('ARI REST client (src/ari/rest.ts) against a plain HTTP server', () => {
  it('keeps one connection for calls in a row, sends basic auth and ARI\'s comma-separated lists, reads 404 as gone, and aborts a late request at its deadline', async () => {
    const seen: { method?: string; url?: string; auth?: string }[] = [];
    let connections = 0;
    let closedLate = false;
    const server = http.createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
      if (req.url?.startsWith('/ari/playbacks/slow')) {
        req.socket.on('close', () => (closedLate = true));
        return; // never answers
      }
      if (req.url?.startsWith('/ari/playbacks/')) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Playback not found"}');
      if (req.url === '/ari/channels') return void res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id":"c1"}]');
      res.writeHead(204).end();
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const rest = createAriRest({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, username: 'medq', password: 's3cret', timeoutMs: 300, maxSockets: 4 });
    try {
      expect(await rest.request('list channels', 'GET', '/channels')).toEqual([{ id: 'c1' }]);
      expect(await rest.request('play', 'POST', '/channels/c1/play/p1', { media: ['sound:a', 'sound:b'].join(','), lang: 'hi' })).toBeUndefined();
      const gone = await rest.request('get playback', 'GET', '/playbacks/p9').catch((e: unknown) => e);
      expect(isNotFound(gone)).toBe(true);
      expect(connections).toBe(1);
      expect(seen[1]).toEqual({ method: 'POST', url: '/ari/channels/c1/play/p1?media=sound%3Aa%2Csound%3Ab&lang=hi', auth: `Basic ${Buffer.from('medq:s3cret').toString('base64')}` });

      const t0 = Date.now();
      await expect(rest.request('get playback', 'GET', '/playbacks/slow')).rejects.toThrow('ARI get playback: no answer within 300 ms');
      expect(Date.now() - t0).toBeLessThan(1_000);
      await until(() => closedLate, 'the late request\'s connection closed', 2_000);
    } finally {
      rest.close();
      server.close();
    }
  });
});

// ── The link's reconnect loop ─────────────────────────────────────────────────────────────────────

describe('ARI link without Asterisk', () => {
  it('keeps retrying with a capped back-off while the server is not ARI, reports down, and stops promptly', async () => {
    const hits: number[] = [];
    const server = http.createServer((req, res) => {
      if (req.url?.startsWith('/ari/events?')) hits.push(Date.now());
      res.writeHead(503, { 'content-type': 'text/plain' }).end('not ready');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const { logger, lines } = memoryLogger();
    const link = new AriLink({ url, username: 'u', password: 'p', app: 'medq', logger, backoffInitialMs: 50, backoffMaxMs: 200, connectTimeoutMs: 1_000 });
    link.start({ onEvent: () => undefined, onUp: () => undefined, onDown: () => undefined });
    try {
      await until(() => hits.length >= 7, 'seven attempts', 5_000);
      expect(link.state()).toBe('down');
      const gaps = hits.slice(1).map((h, i) => h - hits[i]!);
      expect(Math.max(...gaps.slice(3))).toBeLessThan(200 * 1.2 + 150); // capped (plus request time)
      expect(lines.filter((l) => l.msg === 'cannot connect to ARI; retrying' && l.level === 40)).toHaveLength(1); // said once, not per try
    } finally {
      const t0 = Date.now();
      await link.stop();
      expect(Date.now() - t0).toBeLessThan(1_500);
      server.close();
    }
  });

  it('startIvrRole refuses a language of LANGUAGES without IVR texts, naming it', () => {
    const t = createTestDb();
    try {
      expect(() =>
        startIvrRole({
          ctx: t.ctx,
          config: { ...t.config, languages: ['en', 'xx'], ariUrl: 'http://127.0.0.1:9', ariUsername: 'medq', ariPassword: 'x' },
          logger: memoryLogger().logger,
        }),
      ).toThrow(/LANGUAGES: language "xx" cannot be offered on the phone: .*no IVR texts for language "xx"/);
    } finally {
      t.close();
    }
  });

  it('startIvrRole with Asterisk down is not an error: state() is down until it answers', async () => {
    const t = createTestDb();
    const { logger } = memoryLogger();
    const role = startIvrRole({
      ctx: t.ctx,
      config: { ...t.config, ariUrl: 'http://127.0.0.1:9', ariUsername: 'medq', ariPassword: 'x' },
      logger,
      tuning: { backoffMaxMs: 100 },
    });
    try {
      expect(role.state()).toBe('down');
      expect(await role.whenUp(300)).toBe(false);
    } finally {
      await role.stop();
      t.close();
    }
  });
});
