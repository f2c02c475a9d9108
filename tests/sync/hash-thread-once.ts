// Child of hash-thread.test.ts: hashes once and prints the hash; nothing else keeps it alive.
import { hashPassword } from '../../src/sync/credentials.js';

console.log(await hashPassword('correct horse battery'));
