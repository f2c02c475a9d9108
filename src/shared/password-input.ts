// What the staff CLIs share: usage errors, a password read from standard input (never from the
// command line, where it would land in the shell history and the process list), and a generated one.
import { randomInt } from 'node:crypto';

export function usageExit(usage: string, problem: string): never {
  process.stderr.write(`medq: ${problem}\n${usage}\n`);
  process.exit(64); // EX_USAGE
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function generatedPassword(): string {
  // No look-alike characters: it is read off a terminal and typed in.
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 16 }, () => alphabet[randomInt(alphabet.length)]).join('');
}
