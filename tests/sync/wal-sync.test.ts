// A group of bookings commits without waiting for the disk on the event loop, and no caller hears
// of a booking before an fdatasync of the -wal file that began after its commit has returned
// (src/sync/group-commit.ts). Checked on the real system calls: the child process books under
// strace, and the trace's order of commit frames, syncs and confirmations is the evidence.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb | undefined;
afterEach(() => {
  t?.close();
  t = undefined;
});

const strace = spawnSync('strace', ['-V'], { encoding: 'utf8' });
const haveStrace = strace.status === 0;
if (!haveStrace && process.env['CI'] === 'true') throw new Error('strace is required under CI=true (scripts/asterisk-root.sh installs it)');

interface Sync {
  tid: number;
  start: number;
  end: number;
}

/** The trace's lines about the -wal file and the child's confirmations, in order. */
function readTrace(log: string, walPath: string) {
  const lines = log.split('\n');
  let mainTid = 0;
  let startAt = -1;
  const commits: number[] = []; // line of each commit frame's header (a frame header with a database size)
  const syncs: Sync[] = [];
  const open = new Map<number, Sync>(); // a sync started but not yet returned, by thread
  const acks: Array<{ wave: string; line: number }> = [];
  const hexToText = (s: string) => Buffer.from(s.replace(/\\x/g, ''), 'hex').toString('utf8');
  // strace -xx writes the paths -y adds in the same \\xNN form as the data.
  const wal = `<${[...Buffer.from(walPath)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}>`;
  lines.forEach((line, i) => {
    const m = /^(\d+)\s+(.*)$/.exec(line); // strace pads short thread ids
    if (!m) return;
    const tid = Number(m[1]);
    const call = m[2]!;
    const w = /^write\(([12])<[^>]*>, "((?:\\x[0-9a-f]{2})*)"/.exec(call);
    if (w) {
      const text = hexToText(w[2]!);
      if (w[1] === '2' && text.startsWith('bookings start ')) {
        startAt = i;
        mainTid = Number(text.split(' ')[2]);
      } else if (w[1] === '1' && startAt >= 0 && tid === mainTid) for (const a of text.trim().split('\n')) acks.push({ wave: a.split(' ')[0]!, line: i });
      return;
    }
    if (startAt < 0) return;
    const frame = /^pwrite64\(\d+(<[^>]*>), "((?:\\x[0-9a-f]{2}){24})", 24,/.exec(call);
    if (frame && frame[1] === wal) {
      const header = Buffer.from(frame[2]!.replace(/\\x/g, ''), 'hex');
      if (header.readUInt32BE(4) !== 0) commits.push(i);
      return;
    }
    if (/^f(?:data)?sync\(\d+</.test(call) && call.includes(`${wal})`)) {
      const s = { tid, start: i, end: i };
      if (call.includes('<unfinished ...>')) open.set(tid, s);
      else syncs.push(s);
      return;
    }
    if (/^<\.\.\. f(?:data)?sync resumed>/.test(call) && open.has(tid)) {
      const s = open.get(tid)!;
      open.delete(tid);
      s.end = i;
      syncs.push(s);
    }
  });
  return { mainTid, startAt, commits, syncs, acks };
}

describe('group commit and the disk', () => {
  it.runIf(haveStrace)('confirms a booking only after the -wal file is synced past its commit, and never syncs on the event loop', () => {
    t = createTestDb();
    const log = join(t.dir, 'strace.log');
    const child = spawnSync(
      'strace',
      ['-f', '-y', '-xx', '-e', 'trace=fdatasync,fsync,pwrite64,write', '-o', log, process.execPath, '--import', 'tsx', fileURLToPath(new URL('./wal-sync-child.ts', import.meta.url)), t.path],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.stderr).toContain('groups 6,6');
    expect(child.status).toBe(0);
    const trace = readTrace(readFileSync(log, 'utf8'), `${t.path}-wal`);
    expect(trace.startAt).toBeGreaterThanOrEqual(0);
    expect(trace.acks.map((a) => a.wave).sort().join('')).toBe('AAAAAABBBBBB');
    // One commit per wave.
    expect(trace.commits).toHaveLength(2);
    // The event loop never waited for the disk: every sync of the -wal ran on another thread.
    expect(trace.syncs.length).toBeGreaterThan(0);
    expect(trace.syncs.filter((s) => s.tid === trace.mainTid)).toEqual([]);
    // Each wave heard only after a sync that began after its commit had returned.
    for (const [k, wave] of ['A', 'B'].entries()) {
      const commit = trace.commits[k]!;
      const firstAck = Math.min(...trace.acks.filter((a) => a.wave === wave).map((a) => a.line));
      expect(firstAck).toBeGreaterThan(commit);
      expect(trace.syncs.some((s) => s.start > commit && s.end < firstAck), `a sync between wave ${wave}'s commit (line ${commit}) and its first confirmation (line ${firstAck})`).toBe(true);
    }
  });
});
