// bench/results/latest.json: {machine, date, figures: {name: {value, unit, note, measured}}}, and
// the markdown table printed at the end of a run. A figure that could not be measured is null with
// the reason in its note, never a guess.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Figure {
  value: number | null;
  unit: string;
  note: string;
  /** When and in which mode this figure was measured (a partial run keeps older figures beside its own). */
  measured?: string;
}
export type Figures = Record<string, Figure>;

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

/**
 * Writes latest.json. `merge` (a run of some parts only, `--only=…`): the figures this run did not
 * measure are kept from the file as they were, so one part's run does not erase the others'.
 */
export function writeResults(figures: Figures, extra: Record<string, unknown> & { mode?: string } = {}, opts: { merge?: boolean; file?: string } = {}): string {
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  const file = opts.file ?? `${dir}latest.json`;
  mkdirSync(dirname(file), { recursive: true });
  const date = new Date().toISOString();
  const stamped: Figures = {};
  for (const [name, f] of Object.entries(figures)) stamped[name] = { ...f, measured: `${date} ${extra.mode ?? ''}`.trim() };
  let merged = stamped;
  if (opts.merge && existsSync(file)) {
    try {
      const old = JSON.parse(readFileSync(file, 'utf8')) as { date?: string; mode?: string; figures?: Figures };
      const kept: Figures = {};
      for (const [name, f] of Object.entries(old.figures ?? {})) kept[name] = { ...f, measured: f.measured ?? `${old.date ?? ''} ${old.mode ?? ''}`.trim() };
      merged = { ...kept, ...stamped };
    } catch {
      // An unreadable file is replaced by this run's figures.
    }
  }
  writeFileSync(file, JSON.stringify({ machine: machine(), date, ...extra, ...(opts.merge ? { partial: true } : {}), figures: merged }, null, 2) + '\n');
  return file;
}

export function markdownTable(figures: Figures): string {
  const rows = Object.entries(figures).map(([name, f]) => `| ${name} | ${f.value === null ? '—' : String(f.value)} | ${f.unit} | ${f.note.replace(/\|/g, '/')} |`);
  return ['| figure | value | unit | note |', '|---|---:|---|---|', ...rows].join('\n');
}
