// npm run sms:templates [-- --json]
// Prints every SMS kind's DLT template per language of LANGUAGES (CLINIC_BRAND written in, every
// other value as `{#var#}`), to register with the operator, and the template id DLT_TEMPLATES gives
// it. --json prints the DLT_TEMPLATES file itself ({kind: {language: {id, text}}}) to fill in the ids.
import { parseArgs } from 'node:util';
import { SMS_KINDS } from '../db/schema.js';
import { dltTemplate, readDltTemplates, variablesOf, type DltTemplateFile } from '../sms/dlt.js';
import { checkSmsCatalogs, smsLanguages } from '../sms/texts.js';
import { checkOrExit, configOrExit } from '../shared/cli.js';

const USAGE = 'usage: npm run sms:templates [-- --json]';
let json = false;
try {
  json = parseArgs({ options: { json: { type: 'boolean', default: false } }, allowPositionals: false }).values.json ?? false;
} catch (e) {
  process.stderr.write(`medq: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
  process.exit(64); // EX_USAGE
}

const config = configOrExit([]);
checkOrExit(() => checkSmsCatalogs(config.languages));
const registered: DltTemplateFile = config.dltTemplates ? checkOrExit(() => readDltTemplates(config.dltTemplates!)) : {};
const languages = smsLanguages(config.languages);

if (json) {
  const out: Record<string, Record<string, { id: string; text: string }>> = {};
  for (const kind of SMS_KINDS) {
    out[kind] = {};
    for (const lang of languages) out[kind][lang] = { id: registered[kind]?.[lang]?.id ?? '', text: dltTemplate(lang, kind, config.clinicBrand) };
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} else {
  const lines: string[] = [
    `DLT templates of ${config.clinicBrand} (CLINIC_BRAND); each {#var#} stands for one value of at most 30 characters.`,
    `Entity id (DLT_ENTITY_ID): ${config.dltEntityId ?? 'not set'}; template ids from DLT_TEMPLATES: ${config.dltTemplates ?? 'not set'}`,
  ];
  for (const lang of languages) {
    lines.push('', `== ${lang} ==`);
    for (const kind of SMS_KINDS) {
      const template = dltTemplate(lang, kind, config.clinicBrand);
      const entry = registered[kind]?.[lang];
      const vars = variablesOf(lang, kind);
      const note = entry?.text !== undefined && entry.text !== template ? ' — DIFFERS from the registered text in DLT_TEMPLATES' : '';
      lines.push('', `[${kind}] ${lang} template id: ${entry?.id ?? 'not set'}${vars.length ? `; {#var#} = ${vars.join(', ')}` : ''}${note}`);
      lines.push(template);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
