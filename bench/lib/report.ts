// bench/results/latest.json: {machine, date, figures: {name: {value, unit, note}}}, and the
// markdown table printed at the end of a run. A figure that could not be measured is null with
// the reason in its note, never a guess.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export interface Figure {
  value: number | null;
  unit: string;
  note: string;
}
export type Figures = Record<string, Figure>;

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export function writeResults(figures: Figures, extra: Record<string, unknown> = {}): string {
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}latest.json`;
  writeFileSync(file, JSON.stringify({ machine: machine(), date: new Date().toISOString(), ...extra, figures }, null, 2) + '\n');
  return file;
}

export function markdownTable(figures: Figures): string {
  const rows = Object.entries(figures).map(([name, f]) => `| ${name} | ${f.value === null ? '—' : String(f.value)} | ${f.unit} | ${f.note.replace(/\|/g, '/')} |`);
  return ['| figure | value | unit | note |', '|---|---:|---|---|', ...rows].join('\n');
}
