// The event loop of the IVR bench's apps since the last call: how busy it was (libuv's own
// counters, free), and with BENCH_LOOP_DELAY=1 its delay (whether the main thread itself blocked,
// or the machine was busy). With BENCH_SCHEDSTAT=1 the kernel's scheduler statistics
// of the main thread (/proc/self/task/<pid>/schedstat: time on a CPU, time runnable but waiting
// for one), sampled every 10 ms, tell the two apart: a stall spent waiting for a CPU is the
// machine's (Asterisk, SIPp, other threads), one spent on a CPU is the app's own work. Both are
// opt-in: their samplers wake the app up (the delay's every 10 ms cost each app ~11 ms of CPU a
// second, measured idle; schedstat's ~20 % more CPU in a level), and the bench counts that as the
// app's CPU.
import { openSync, readSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const loopDelay = process.env['BENCH_LOOP_DELAY'] === '1' ? monitorEventLoopDelay({ resolution: 10 }) : null;
loopDelay?.enable();
let eluAt = performance.eventLoopUtilization();

const statFd = process.env['BENCH_SCHEDSTAT'] === '1' ? openStat() : null;
function openStat(): number | null {
  try {
    return openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
  } catch {
    return null; // not Linux, or no schedstats
  }
}
const statBuf = Buffer.alloc(128);
function sched(): { runNs: number; waitNs: number } | null {
  if (statFd === null) return null;
  const n = readSync(statFd, statBuf, 0, statBuf.length, 0);
  const [run, wait] = statBuf.toString('latin1', 0, n).split(' ');
  return { runNs: Number(run), waitNs: Number(wait) };
}

interface Stall {
  gapMs: number;
  onCpuMs: number;
  waitingMs: number;
}
let last = sched();
let lastAt = performance.now();
let waitedMs = 0;
let worst: Stall = { gapMs: 0, onCpuMs: 0, waitingMs: 0 };
if (last) {
  // Every 10 ms of the event loop; a stall shows as one long gap between two samples.
  setInterval(() => {
    const now = sched();
    const at = performance.now();
    if (!now || !last) return;
    const s = { gapMs: at - lastAt, onCpuMs: (now.runNs - last.runNs) / 1e6, waitingMs: (now.waitNs - last.waitNs) / 1e6 };
    waitedMs += s.waitingMs;
    if (s.gapMs > worst.gapMs) worst = s;
    last = now;
    lastAt = at;
  }, 10).unref();
}

export function loopDelaySinceLast(): {
  /** Share of the time the event loop was busy (not waiting for I/O), 0–1. */
  loopBusy: number;
  loopP99Ms?: number;
  loopMaxMs?: number;
  /** The main thread's time runnable but without a CPU since the last call, and its longest gap between samples. */
  cpuWaitMs?: number;
  worstStall?: Stall;
} {
  const elu = performance.eventLoopUtilization(eluAt);
  eluAt = performance.eventLoopUtilization();
  const r = {
    loopBusy: elu.utilization,
    ...(loopDelay ? { loopP99Ms: loopDelay.percentile(99) / 1e6, loopMaxMs: loopDelay.max / 1e6 } : {}),
    ...(last ? { cpuWaitMs: waitedMs, worstStall: worst } : {}),
  };
  loopDelay?.reset();
  waitedMs = 0;
  worst = { gapMs: 0, onCpuMs: 0, waitingMs: 0 };
  return r;
}
