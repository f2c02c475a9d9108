// The container contract (issue 9 item 1), proven without a Docker engine:
//   1. docker-compose.yml is rendered the way compose does it, by Debian's `docker-compose config`
//      (v1.29; it merges env_file into each service's environment, `environment:` winning), with
//      `.env` = `.env.example` plus what the README tells a clinic to set (JWT_SECRET, ARI_PASSWORD)
//      and, for this machine, the loopback ports of a real Asterisk started here and a free HTTP port;
//   2. the medq image's environment = the Dockerfile's ENV overlaid by that rendered environment;
//   3. the image's ENTRYPOINT (parsed from the Dockerfile, `tini --` left out: it only forwards
//      signals) runs in the repository (standing in for the image's /app: dist, node_modules, db,
//      web, docker/) as uid 1000 (`node` in the image) with exactly that environment, against temp
//      folders standing in for the named volumes, owned as the Dockerfiles leave them (the prompts
//      volume is filled from the Asterisk image, which compose starts first). Values naming a
//      volume's mount point are mapped to its stand-in; nothing else is changed.
// It must migrate, render the prompts where the Asterisk image reads them, start, answer /readyz
// (db up, ari up against the real Asterisk, smpp disabled: no SMPP_URL) and seed nothing; a second
// start with MEDQ_DEMO_SEED=on on the same volumes loads the demo clinic.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { freeTcpPort, requireRealAsterisk, startAsterisk, type AsteriskInstance } from '../support/asterisk.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** The node image's `node` user and group. */
const NODE_UID = 1000;
const NAMED_USERS: Record<string, number> = { node: NODE_UID, root: 0 };

const isCi = () => !!process.env['CI'] && !['0', 'false'].includes(process.env['CI']!.toLowerCase());

function requireContainerTools(): { available: boolean; reason?: string } {
  const missing = (reason: string) => {
    if (isCi()) throw new Error(`The container contract test needs ${reason} under CI=true`);
    console.warn(`[container] SKIPPING: ${reason}`);
    return { available: false, reason };
  };
  if (process.getuid?.() !== 0) return missing('root (to run the entrypoint as uid 1000 and own the volume stand-ins)');
  if (spawnSync('docker-compose', ['version']).status !== 0) return missing("Debian's docker-compose (scripts/asterisk-root.sh installs it)");
  if (spawnSync('setpriv', ['--version']).status !== 0) return missing('setpriv (util-linux)');
  return { available: true };
}

const real = requireRealAsterisk();
const tools = real.available ? requireContainerTools() : real;

// ---------------------------------------------------------------- reading the Dockerfiles

interface Dockerfile {
  env: Record<string, string>;
  workdir: string;
  user: string;
  entrypoint: string[];
  /** path → [uid, gid] set by a `chown` (recursive ones apply below the path too). */
  owners: Array<{ path: string; uid: number; gid: number; recursive: boolean }>;
  /** Folders made by `mkdir -p`. */
  dirs: string[];
  /** `ln -s TARGET LINK`. */
  links: Array<{ target: string; link: string }>;
  /** What the final stage COPYs into the image, as paths of the checkout (a build stage's /app/X is X). */
  copies: string[];
}

function readDockerfile(file: string): Dockerfile {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/\\\n/g, ' ');
  // The final stage is the image that runs.
  const stage = text.slice(text.lastIndexOf('\nFROM '));
  const d: Dockerfile = { env: {}, workdir: '/', user: 'root', entrypoint: [], owners: [], dirs: [], links: [], copies: [] };
  const id = (s: string) => NAMED_USERS[s] ?? Number(s);
  for (const line of stage.split('\n').map((l) => l.trim())) {
    const [word, ...rest] = line.split(/\s+/);
    const arg = rest.join(' ');
    if (word === 'ENV') for (const kv of rest) d.env[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
    if (word === 'WORKDIR') d.workdir = arg;
    if (word === 'USER') d.user = arg;
    if (word === 'ENTRYPOINT') d.entrypoint = JSON.parse(arg) as string[];
    if (word === 'COPY') {
      const sources = rest.filter((a) => !a.startsWith('--')).slice(0, -1);
      d.copies.push(...sources.map((src) => src.replace(/^\/app\//, '')));
    }
    if (word === 'RUN') {
      for (const cmd of arg.split(/&&|;/).map((c) => c.trim().split(/\s+/))) {
        if (cmd[0] === 'chown') {
          const recursive = cmd[1] === '-R';
          const [owner, ...paths] = cmd.slice(recursive ? 2 : 1);
          const [u, g] = owner!.split(':');
          for (const p of paths) d.owners.push({ path: p, uid: id(u!), gid: id(g ?? u!), recursive });
        }
        if (cmd[0] === 'mkdir') d.dirs.push(...cmd.slice(1).filter((a) => !a.startsWith('-')));
        if (cmd[0] === 'ln' && cmd[1] === '-s') d.links.push({ target: cmd[2]!, link: cmd[3]! });
      }
    }
  }
  return d;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) newest = Math.max(newest, statSync(join(dir, f)).mtimeMs);
  return newest;
}

/** Who owns `path` in the image: the last chown that covers it, else root. */
function ownerIn(d: Dockerfile, path: string): [number, number] {
  let owner: [number, number] = [0, 0];
  for (const o of d.owners) if (o.path === path || (o.recursive && path.startsWith(o.path + '/'))) owner = [o.uid, o.gid];
  return owner;
}

// ---------------------------------------------------------------- the compose rendering

interface Service {
  environment?: Record<string, string | null>;
  volumes?: string[];
  depends_on?: Record<string, unknown> | string[];
  build?: { dockerfile?: string };
}

function renderCompose(projectDir: string): Record<string, Service> {
  const out = execFileSync('docker-compose', ['--project-directory', projectDir, '-f', join(projectDir, 'docker-compose.yml'), 'config'], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH']! },
  });
  return (parseYaml(out) as { services: Record<string, Service> }).services;
}

/** A line `NAME=...` of .env.example given a value, as a clinic does in its .env. */
function setVar(envText: string, name: string, value: string): string {
  const re = new RegExp(`^${name}=.*$`, 'm');
  if (!re.test(envText)) throw new Error(`.env.example has no ${name}= line`);
  return envText.replace(re, `${name}=${value}`);
}

function volumesOf(s: Service): Array<{ name: string; target: string }> {
  return (s.volumes ?? []).map((v) => v.split(':')).filter((p) => !p[0]!.startsWith('/') && !p[0]!.startsWith('.')).map((p) => ({ name: p[0]!, target: p[1]! }));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

// ---------------------------------------------------------------- the test

describe.skipIf(!tools.available)('the medq container, as docker-compose runs it', () => {
  let ast: AsteriskInstance;
  let work: string;
  let httpPort: number;
  let baseEnv: string;
  const appImage = readDockerfile('Dockerfile');
  const asteriskImage = readDockerfile('docker/asterisk/Dockerfile');
  let volumes: Map<string, string>;
  let child: ChildProcess | null = null;
  let appDir = ROOT;

  beforeAll(async () => {
    // The image holds dist/ built from this src/ (the CI builds before `npm test`; a local checkout
    // may have none, or one older than its sources).
    if (!existsSync(join(ROOT, 'dist/src/main.js')) || newestMtime(join(ROOT, 'src')) > statSync(join(ROOT, 'dist/src/main.js')).mtimeMs) {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    }
    ast = await startAsterisk({ name: 'container' });
    httpPort = await freeTcpPort();
    work = mkdtempSync(join(tmpdir(), 'medq-container-'));
    chownSync(work, 0, 0);
    chmodSync(work, 0o755); // like /var/lib/docker/volumes: the container's user reaches its volumes
    copyFileSync(join(ROOT, 'docker-compose.yml'), join(work, 'docker-compose.yml'));
    // The image's /app, staged as the Dockerfile copies it: readable by the container's user even
    // when the checkout lives under a folder only root can enter (a mktemp -d clone, say).
    appDir = join(work, 'app');
    mkdirSync(appDir);
    const copies = readDockerfile('Dockerfile').copies;
    expect(copies).toEqual(expect.arrayContaining(['dist', 'node_modules', 'package.json', 'db', 'web', 'src/locales']));
    for (const part of copies) execFileSync('cp', ['-a', '--link', '--parents', part, appDir], { cwd: ROOT });
    // What the README asks of a clinic, plus this machine's loopback ports.
    let env = readFileSync(join(ROOT, '.env.example'), 'utf8');
    env = setVar(env, 'JWT_SECRET', randomBytes(36).toString('base64'));
    env = setVar(env, 'ARI_PASSWORD', ast.ariPassword);
    env = setVar(env, 'ARI_URL', ast.ariUrl);
    env = setVar(env, 'HTTP_PORT', String(httpPort));
    baseEnv = env;
    writeFileSync(join(work, '.env'), env);

    // Named volumes, filled by the first service compose starts that mounts them (depends_on:
    // asterisk starts before medq), with that image's folder and its owners.
    const services = renderCompose(work);
    const order = Object.keys(services).sort((a, b) => (JSON.stringify(services[b]!.depends_on ?? {}).includes(`"${a}"`) ? -1 : JSON.stringify(services[a]!.depends_on ?? {}).includes(`"${b}"`) ? 1 : 0));
    expect(order.indexOf('asterisk')).toBeLessThan(order.indexOf('medq'));
    volumes = new Map();
    for (const name of order) {
      const image = services[name]!.build?.dockerfile === 'docker/asterisk/Dockerfile' ? asteriskImage : appImage;
      for (const v of volumesOf(services[name]!)) {
        if (volumes.has(v.name)) continue;
        const standIn = join(work, 'volumes', v.name);
        mkdirSync(standIn, { recursive: true });
        const [u, g] = ownerIn(image, v.target);
        chownSync(standIn, u, g);
        for (const d of image.dirs.filter((x) => x.startsWith(v.target + '/'))) {
          let path = v.target;
          for (const part of d.slice(v.target.length + 1).split('/')) {
            path += '/' + part;
            mkdirSync(join(standIn, path.slice(v.target.length)), { recursive: true });
            const [pu, pg] = ownerIn(image, path);
            chownSync(join(standIn, path.slice(v.target.length)), pu, pg);
          }
        }
        volumes.set(v.name, standIn);
      }
    }
    const home = join(work, 'home');
    mkdirSync(home);
    chownSync(home, NODE_UID, NODE_UID);
  }, 180_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await ast?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Renders compose with the current .env and starts the medq entrypoint as uid 1000. */
  function startContainer(): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
    const medq = renderCompose(work)['medq']!;
    const env: Record<string, string> = { ...appImage.env };
    for (const [k, v] of Object.entries(medq.environment ?? {})) env[k] = v ?? '';
    // Mount points → stand-ins.
    for (const v of volumesOf(medq)) {
      for (const [k, val] of Object.entries(env)) {
        if (val === v.target || val.startsWith(v.target + '/')) env[k] = volumes.get(v.name)! + val.slice(v.target.length);
      }
    }
    env['PATH'] = process.env['PATH']!;
    env['HOME'] = join(work, 'home');
    const cmd = [...appImage.entrypoint];
    expect(cmd.slice(0, 2)).toEqual(['tini', '--']);
    cmd.splice(0, 2);
    expect(appImage.user).toBe('node');
    const proc = spawn('setpriv', [`--reuid=${NODE_UID}`, `--regid=${NODE_UID}`, '--clear-groups', '--', ...cmd], {
      cwd: appDir, // the image's WORKDIR /app
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    child = proc;
    return { proc, output: () => out, exited };
  }

  async function waitReady(run: ReturnType<typeof startContainer>): Promise<{ status: string; checks: Record<string, string> }> {
    let gone = false;
    void run.exited.then(() => (gone = true));
    const deadline = Date.now() + 120_000;
    let last = '';
    while (Date.now() < deadline) {
      if (gone) throw new Error(`the entrypoint exited before /readyz answered 200:\n${run.output()}`);
      const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => null);
      if (res) {
        last = `${res.status} ${await res.text()}`;
        if (res.status === 200) return JSON.parse(last.slice(4)) as { status: string; checks: Record<string, string> };
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`/readyz never answered 200 (last: ${last}):\n${run.output()}`);
  }

  async function stop(run: ReturnType<typeof startContainer>): Promise<number | null> {
    run.proc.kill('SIGTERM'); // what tini passes on at `docker compose stop`
    const code = await run.exited;
    child = null;
    return code;
  }

  it('the rendered environment keeps the image\'s paths, whatever .env says', () => {
    const services = renderCompose(work);
    const medq = services['medq']!.environment!;
    expect(medq['MEDQ_DB']).toBe(appImage.env['MEDQ_DB']);
    expect(medq['ASTERISK_SOUNDS_DIR']).toBe('/prompts');
    expect(medq['NODE_ENV']).toBe('production');
    // The Asterisk container writes the same ARI password into ari.conf.
    expect(services['asterisk']!.environment!['ARI_PASSWORD']).toBe(medq['ARI_PASSWORD']);
  });

  it('migrates, renders the prompts where Asterisk reads them, starts, is ready, and seeds nothing', { timeout: 240_000 }, async () => {
    const run = startContainer();
    const ready = await waitReady(run);
    expect(ready).toEqual({ status: 'ready', checks: { db: 'up', ari: 'up', smpp: 'disabled' } });
    expect(run.output()).toContain('MEDQ_DEMO_SEED is off: no demo data loaded');

    // Seeds nothing: no clinic, so no demo DID answers calls.
    const { clinics } = (await (await fetch(`http://127.0.0.1:${httpPort}/api/clinics`)).json()) as { clinics: unknown[] };
    expect(clinics).toEqual([]);

    // The database is in the data volume, the app's.
    const db = join(volumes.get('data')!, 'medq.sqlite');
    expect(statSync(db).uid).toBe(NODE_UID);

    // The prompts: in the prompts volume at the folder the Asterisk image links as its
    // sounds/en/medq (the volume is mounted there at the target compose gives the asterisk service).
    const services = renderCompose(work);
    const astMount = volumesOf(services['asterisk']!).find((v) => v.name === 'prompts')!.target;
    const link = asteriskImage.links.find((l) => l.link === '/usr/share/asterisk/sounds/en/medq');
    expect(link, 'the Asterisk image links its sounds/en/medq into the prompts volume').toBeDefined();
    expect(link!.target.startsWith(astMount + '/')).toBe(true);
    const promptDir = join(volumes.get('prompts')!, posix.relative(astMount, link!.target));
    const wavs = walk(promptDir).filter((f) => f.endsWith('.wav'));
    expect(wavs.length).toBeGreaterThan(10);
    expect(wavs.map((f) => f.slice(promptDir.length + 1))).toContain('welcome.wav');
    for (const f of wavs) expect(statSync(f).mode & 0o004, `${f} readable by Asterisk`).toBeTruthy();

    expect(await stop(run)).toBe(0);
  });

  it('with MEDQ_DEMO_SEED=on, a restart on the same volumes loads the demo clinic and names its doctors', { timeout: 240_000 }, async () => {
    writeFileSync(join(work, '.env'), setVar(baseEnv, 'MEDQ_DEMO_SEED', 'on'));
    const run = startContainer();
    await waitReady(run);
    const { clinics } = (await (await fetch(`http://127.0.0.1:${httpPort}/api/clinics`)).json()) as { clinics: Array<{ id: number; name: string; doctors: Array<{ id: number }> }> };
    expect(clinics.map((c) => c.name)).toEqual(['MedQ Demo Clinic']);
    expect(clinics[0]!.doctors.length).toBe(3);
    // The names rendered at this start, so the IVR announces the doctors by name, not by key.
    const named = readdirSync(join(volumes.get('prompts')!, 'en/medq'));
    for (const d of clinics[0]!.doctors) expect(named).toContain(`doctor-${d.id}.wav`);
    expect(named).toContain(`clinic-${clinics[0]!.id}.wav`);
    expect(await stop(run)).toBe(0);
  });
});
