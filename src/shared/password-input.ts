// What the staff CLIs share: usage errors, a password read from standard input (never from the
// command line, where it would land in the shell history and the process list), and a generated one.
import { randomInt } from 'node:crypto';
import { parseArgs, type ParseArgsConfig } from 'node:util';

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

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** The command's --options (strict: an unknown one is a usage error); --help prints the usage and exits. */
export function commandArgs<O extends OptionSpecs>(usage: string, options: O) {
  let parsed;
  try {
    parsed = parseArgs({ options: { ...options, help: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  } catch (e) {
    usageExit(usage, e instanceof Error ? e.message : String(e));
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed.values as ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];
}

/** --password-stdin reads it; otherwise one is generated, to be shown once and changed at the first log-in. */
export async function staffPassword(fromStdin: boolean | undefined): Promise<{ password: string; generated: boolean }> {
  return fromStdin ? { password: await readStdin(), generated: false } : { password: generatedPassword(), generated: true };
}
