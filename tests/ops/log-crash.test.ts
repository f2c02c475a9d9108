// A crash loses no log line written before it: the default log destination writes each line to
// stdout before the logging call returns (src/shared/logger.ts). Real process, real SIGKILL.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('log lines and crashes', () => {
  it('every line logged before a kill -9 is in the log', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/ops/log-crash-entry.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { n: number; msg: string });
    expect(lines.map((l) => l.n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(lines.every((l) => l.msg === 'line before the crash')).toBe(true);
  });
});
