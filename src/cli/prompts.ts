// npm run prompts -- --out DIR [--lang hi]
// Renders every catalog prompt, and the clinic and doctor names in MEDQ_DB, to 8 kHz mono WAV in
// DIR/<lang>/medq/<id>.wav (espeak-ng + sox), where DIR is Asterisk's sounds folder (SPEC §6), for
// every language in LANGUAGES (or the one --lang names), with the language's voice; a language
// with value words of its own (Hindi) gets them too, and with several languages each folder gets
// every language's offer ("हिंदी के लिए 2 दबाएँ।").
// Run it again after doctors change: unchanged texts are skipped, a clinic's own recordings are
// never overwritten (see prompts-render.ts).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/client.js';
import { configOrExit, fatal } from '../shared/cli.js';
import { createLogger } from '../shared/logger.js';
import { activeDoctors, createSyncContext, listClinics } from '../sync/index.js';
import { LocaleError } from '../ivr/catalog.js';
import { databasePrompts, ivrLanguages, ivrLocale, languagePrompts, listPrompts } from '../ivr/prompts.js';
import { checkTools, MissingToolError, renderPrompts, type PromptSource } from '../ivr/prompts-render.js';

const USAGE = 'usage: npm run prompts -- --out DIR [--lang <one of LANGUAGES>]';

function usage(problem: string): never {
  process.stderr.write(`medq: ${problem}\n${USAGE}\n`);
  process.exit(64); // EX_USAGE
}

let args;
try {
  args = parseArgs({
    options: { out: { type: 'string' }, lang: { type: 'string' } },
    allowPositionals: false,
  }).values;
} catch (e) {
  usage(e instanceof Error ? e.message : String(e));
}
if (!args.out) usage('--out DIR is required (Asterisk sounds folder, e.g. /usr/share/asterisk/sounds)');
const config = configOrExit();
const langs = args.lang ? [args.lang] : [...config.languages];
for (const lang of new Set([...langs, ...config.languages])) {
  try {
    ivrLocale(lang);
  } catch (e) {
    if (!(e instanceof LocaleError)) throw e;
    usage(`${e.message} (have: ${ivrLanguages().join(', ')})`);
  }
}
const log = createLogger(config.logLevel, 'medq-prompts');

try {
  checkTools();
} catch (e) {
  if (e instanceof MissingToolError) {
    process.stderr.write(`medq: cannot render prompts: ${e.message}\n`);
    process.exit(69); // EX_UNAVAILABLE
  }
  throw e;
}

const names: PromptSource[] = [];
if (existsSync(config.dbPath)) {
  // Reads only; the sync queries are the same the IVR announces from (active doctors).
  try {
    const db = openDatabase(config.dbPath);
    const ctx = createSyncContext(db, config);
    const clinics = listClinics(ctx);
    const doctors = clinics.flatMap((c) => activeDoctors(ctx, c.id));
    db.$client.close();
    names.push(...databasePrompts({ clinics, doctors }));
    log.info({ db: config.dbPath, clinics: clinics.length, doctors: doctors.length }, 'names from the database');
  } catch (e) {
    fatal(`cannot read clinics and doctors from ${config.dbPath} (MEDQ_DB)`, e);
  }
} else {
  log.warn({ db: config.dbPath }, 'no database yet (MEDQ_DB): rendering the catalog only; run again after db:seed');
}

for (const lang of langs) {
  try {
    const prompts: PromptSource[] = [...listPrompts(lang), ...languagePrompts(lang, config.languages), ...names];
    const report = await renderPrompts({
      outDir: args.out,
      lang,
      voice: ivrLocale(lang).voice,
      prompts,
      onFile: (e) => {
        if (e.action === 'written') log.info({ file: e.file, text: e.text }, 'prompt written');
        else if (e.action === 'kept') log.info({ file: e.file, why: e.why }, 'prompt kept');
        else log.info({ file: e.file, why: e.why ?? 'no longer in the database' }, 'prompt removed');
      },
    });
    log.info(
      { dir: report.dir, written: report.written.length, unchanged: report.unchanged.length, kept: report.kept.length, removed: report.removed.length },
      'prompts ready',
    );
  } catch (e) {
    fatal(`rendering ${lang} prompts failed`, e);
  }
}
