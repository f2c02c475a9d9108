// Event-loop delay since the last call (ms), for the IVR bench's apps: whether the main thread
// itself blocked, or the machine was busy.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

export function loopDelaySinceLast(): { loopP99Ms: number; loopMaxMs: number } {
  const r = { loopP99Ms: loopDelay.percentile(99) / 1e6, loopMaxMs: loopDelay.max / 1e6 };
  loopDelay.reset();
  return r;
}
