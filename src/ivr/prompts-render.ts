// Renders prompt texts to the audio Asterisk plays: 8 kHz mono 16-bit WAV under
// `<outDir>/<lang>/medq/<id>.wav` (espeak-ng speaks, sox resamples), for `npm run prompts`.
//
// A manifest beside the files (`.medq-prompts.json`) remembers what was rendered from which text,
// with each file's hash. So a second run renders only what changed, and a file the manifest does
// not vouch for (a clinic's own recording, under any of Asterisk's formats, or a rendered file
// someone edited) is never overwritten or removed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface PromptSource {
  /** Name under `medq/`, e.g. `welcome` or `doctor-3`. */
  id: string;
  text: string;
  /** An espeak-ng voice other than the folder's (the offer of another language, said in it). */
  voice?: string;
}

export interface RenderTools {
  espeak: string;
  sox: string;
}

export interface RenderOptions {
  outDir: string;
  lang: string;
  prompts: readonly PromptSource[];
  /** espeak-ng voice (default en-gb) and words per minute (default 150: clear on a phone line). */
  voice?: string;
  speed?: number;
  tools?: RenderTools;
  concurrency?: number;
  /** One call per file written, kept or removed. */
  onFile?: (e: { action: 'written' | 'kept' | 'removed'; id: string; file: string; text?: string; why?: string }) => void;
}

export interface RenderReport {
  dir: string;
  written: string[];
  unchanged: string[];
  /** Files not ours (a clinic's recording, or an edited one): left as they are. */
  kept: string[];
  /** Files we rendered earlier for names no longer in the database. */
  removed: string[];
}

export const MANIFEST_NAME = '.medq-prompts.json';
const DEFAULT_TOOLS: RenderTools = { espeak: 'espeak-ng', sox: 'sox' };

/** Other formats a clinic's own recording may come in (Asterisk plays any of them by name). */
const RECORDING_EXTENSIONS = ['WAV', 'gsm', 'sln', 'sln16', 'ulaw', 'alaw', 'g722', 'wav16', 'g729', 'ogg'];

interface ManifestEntry {
  text: string;
  sha256: string;
}

interface Manifest {
  version: 1;
  /** How files were made; a change re-renders them all. */
  renderer: string;
  files: Record<string, ManifestEntry>;
}

export class MissingToolError extends Error {
  constructor(readonly tool: string) {
    super(`${tool} is not installed or not on PATH (Debian: apt-get install ${tool === 'sox' ? 'sox' : 'espeak-ng'})`);
    this.name = 'MissingToolError';
  }
}

/** Throws MissingToolError naming the first tool that does not run. */
export function checkTools(tools: RenderTools = DEFAULT_TOOLS): void {
  const probes: [string, string[]][] = [
    [tools.espeak, ['--version']],
    [tools.sox, ['--version']],
  ];
  for (const [cmd, args] of probes) {
    const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    if (r.error || r.status !== 0) throw new MissingToolError(cmd);
  }
}

/** Prompt ids become file names: letters, digits, dot, dash, underscore only. */
export function safeId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) && !id.includes('..');
}

export async function renderPrompts(opts: RenderOptions): Promise<RenderReport> {
  const tools = opts.tools ?? DEFAULT_TOOLS;
  const voice = opts.voice ?? 'en-gb';
  const speed = opts.speed ?? 150;
  const renderer = `espeak-ng -v ${voice} -s ${speed} | sox 8000 Hz mono s16 wav, gain -n -1`;
  const dir = path.join(opts.outDir, opts.lang, 'medq');
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  const manifestFile = path.join(dir, MANIFEST_NAME);
  const old = await readManifest(manifestFile);
  const manifest: Manifest = { version: 1, renderer, files: {} };
  const report: RenderReport = { dir, written: [], unchanged: [], kept: [], removed: [] };

  // The manifest remembers a voice of its own with the text, so a changed voice re-renders.
  const wanted = new Map<string, string>();
  const voices = new Map<string, string>();
  for (const p of opts.prompts) {
    if (!safeId(p.id)) throw new Error(`prompt id "${p.id}" cannot be a file name`);
    const text = p.text.trim();
    if (!text) continue;
    const own = p.voice && p.voice !== voice ? p.voice : null;
    wanted.set(p.id, own ? `[${own}] ${text}` : text);
    if (own) voices.set(p.id, own);
  }

  const toRender: PromptSource[] = [];
  for (const [id, text] of wanted) {
    const file = path.join(dir, `${id}.wav`);
    const entry = old.files[id];
    const own = entry !== undefined && (await fileHash(file)) === entry.sha256;
    const other = RECORDING_EXTENSIONS.find((ext) => existsSync(path.join(dir, `${id}.${ext}`)));
    if (other) {
      // The clinic recorded this one: theirs is played, so our rendering steps aside.
      if (own) {
        await fs.rm(file, { force: true });
        report.removed.push(id);
        opts.onFile?.({ action: 'removed', id, file, why: `the clinic's ${id}.${other} replaces it` });
      }
      report.kept.push(id);
      opts.onFile?.({ action: 'kept', id, file: path.join(dir, `${id}.${other}`), why: 'the clinic has its own recording' });
      continue;
    }
    if (existsSync(file) && !own) {
      report.kept.push(id);
      opts.onFile?.({ action: 'kept', id, file, why: 'not rendered by us (a recording of the clinic?)' });
      continue;
    }
    if (own && entry.text === text && old.renderer === renderer) {
      manifest.files[id] = entry;
      report.unchanged.push(id);
      continue;
    }
    toRender.push({ id, text });
  }

  // Renders in parallel; the manifest is written even if one fails, so finished work is kept.
  let failure: unknown = null;
  const queue = [...toRender];
  const worker = async (): Promise<void> => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const file = path.join(dir, `${p.id}.wav`);
      try {
        const v = voices.get(p.id);
        const sha256 = await renderOne(tools, v ?? voice, speed, v ? p.text.slice(v.length + 3) : p.text, file);
        manifest.files[p.id] = { text: p.text, sha256 };
        report.written.push(p.id);
        opts.onFile?.({ action: 'written', id: p.id, file, text: p.text });
      } catch (err) {
        failure ??= err;
        queue.length = 0;
      }
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? Math.max(2, os.availableParallelism()), toRender.length));
  await Promise.all(Array.from({ length: n }, worker));

  // Names no longer wanted (a doctor removed): delete the files we made, forget the rest.
  for (const [id, entry] of Object.entries(old.files)) {
    if (wanted.has(id) || manifest.files[id]) continue;
    const file = path.join(dir, `${id}.wav`);
    if ((await fileHash(file)) === entry.sha256) {
      await fs.rm(file, { force: true });
      report.removed.push(id);
      opts.onFile?.({ action: 'removed', id, file });
    }
  }

  await writeAtomically(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  if (failure) throw failure;
  return report;
}

async function readManifest(file: string): Promise<Manifest> {
  try {
    const m = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Manifest>;
    if (m.version === 1 && m.files && typeof m.files === 'object') return { version: 1, renderer: String(m.renderer ?? ''), files: m.files };
  } catch {
    // none yet, or unreadable: nothing is vouched for, so nothing existing is overwritten
  }
  return { version: 1, renderer: '', files: {} };
}

async function fileHash(file: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await fs.readFile(file)).digest('hex');
  } catch {
    return null;
  }
}

/** espeak-ng → temporary WAV → sox → `<file>` (via a temporary name and rename). Returns its sha256. */
async function renderOne(tools: RenderTools, voice: string, speed: number, text: string, file: string): Promise<string> {
  const tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'medq-prompt-'));
  const raw = path.join(tmpDir, 'espeak.wav');
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp.wav`);
  try {
    // The text goes in on stdin, so nothing in it is read as an option.
    await run(tools.espeak, ['-v', voice, '-s', String(speed), '--stdin', '-w', raw], text);
    await run(tools.sox, [raw, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', partial, 'gain', '-n', '-1']);
    await fs.chmod(partial, 0o644);
    const sha256 = createHash('sha256').update(await fs.readFile(partial)).digest('hex');
    await fs.rename(partial, file);
    return sha256;
  } finally {
    await fs.rm(partial, { force: true });
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], stdin?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject((e as NodeJS.ErrnoException).code === 'ENOENT' ? new MissingToolError(cmd) : e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} failed (${signal ?? code}): ${err.trim().slice(0, 500)}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode: 0o644 });
  await fs.rename(tmp, file);
}
