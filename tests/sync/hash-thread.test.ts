// argon2id on threads of its own (src/sync/hash-thread.ts): the same standard hashes as before (old
// accounts still log in), wrong and malformed inputs are a plain "no", and a command that hashes
// once neither exits before its hash nor hangs after it.
import { hash as libraryHash, verify as libraryVerify } from '@node-rs/argon2';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/sync/index.js';

describe('password hashing thread', () => {
  it('makes argon2id hashes the library verifies, and verifies the library’s own', async () => {
    const made = await hashPassword('ABCD1234');
    expect(made).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await libraryVerify(made, 'ABCD1234')).toBe(true);
    const old = await libraryHash('an older password', { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(await verifyPassword(old, 'an older password')).toBe(true);
    expect(await verifyPassword(old, 'an older passworD')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('answers many at once, each with its own result', async () => {
    const passwords = Array.from({ length: 8 }, (_, i) => `password-${i}`);
    const hashes = await Promise.all(passwords.map((p) => hashPassword(p)));
    expect(new Set(hashes).size).toBe(8);
    const checks = await Promise.all(hashes.map((h, i) => verifyPassword(h, passwords[(i + 1) % 8]!)));
    expect(checks.every((ok) => ok === false)).toBe(true);
    expect(await Promise.all(hashes.map((h, i) => verifyPassword(h, passwords[i]!)))).toEqual(Array(8).fill(true));
  });

  it('a command that hashes once prints the hash and exits by itself', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./hash-thread-once.ts', import.meta.url))], { encoding: 'utf8', timeout: 30_000 });
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toMatch(/^\$argon2id\$/);
  });
});
