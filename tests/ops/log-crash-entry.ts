// A process that logs through createLogger's default destination (stdout) and is killed with
// SIGKILL straight after: for tests/ops/log-crash.test.ts.
import { createLogger } from '../../src/shared/logger.js';

const log = createLogger('info', 'crash-test');
for (let n = 1; n <= 50; n++) log.info({ n }, 'line before the crash');
process.kill(process.pid, 'SIGKILL');
