// The WAL checkpoint thread a MedQ process runs (src/main.ts), for the bench's own server scripts.
// Copied into an older commit run as --baseline (bench/lib/baseline.ts), where src/db/checkpoint.ts
// may not exist yet: then there is no thread, as that commit's processes had none.
import type { Db } from '../../src/db/client.js';

export async function startCheckpointThreadIfAny(db: Db): Promise<{ stop(): Promise<void> } | null> {
  try {
    const { startCheckpointer } = await import('../../src/db/checkpoint.js');
    return startCheckpointer(db);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw e;
  }
}
