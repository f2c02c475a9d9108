// `npm run bench -- --only=X` must not erase the other parts' figures from bench/results/latest.json.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeResults } from '../../bench/lib/report.js';

const dir = mkdtempSync(join(tmpdir(), 'medq-bench-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { partial?: boolean; figures: Record<string, { value: number | null; measured?: string }> };

describe('bench results file', () => {
  it('a partial run replaces its own figures and keeps the others, each saying when it was measured', () => {
    const file = join(dir, 'latest.json');
    writeResults({ api_slots_rps: { value: 100, unit: 'req/s', note: 'old' }, sms_submit_per_s_window10: { value: 650, unit: 'submits/s', note: 'old' } }, { mode: 'full' }, { file });
    const full = read(file);
    expect(full.figures['api_slots_rps']!.measured).toMatch(/ full$/);

    writeResults({ sms_submit_per_s_window10: { value: 2000, unit: 'submits/s', note: 'new' } }, { mode: 'quick' }, { file, merge: true });
    const partial = read(file);
    expect(partial.partial).toBe(true);
    expect(partial.figures['api_slots_rps']).toMatchObject({ value: 100, measured: full.figures['api_slots_rps']!.measured });
    expect(partial.figures['sms_submit_per_s_window10']).toMatchObject({ value: 2000 });
    expect(partial.figures['sms_submit_per_s_window10']!.measured).toMatch(/ quick$/);
  });

  it('a full run writes only its own figures', () => {
    const file = join(dir, 'full.json');
    writeResults({ a: { value: 1, unit: '', note: '' } }, { mode: 'full' }, { file });
    writeResults({ b: { value: 2, unit: '', note: '' } }, { mode: 'full' }, { file });
    expect(Object.keys(read(file).figures)).toEqual(['b']);
  });
});
