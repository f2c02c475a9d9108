// The release this code is: package.json's version, read once (works from src/ and from dist/).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { packageDbFolder } from '../db/client.js';

let cached: string | null = null;
export function medqVersion(): string {
  cached ??= (JSON.parse(readFileSync(resolve(dirname(packageDbFolder()), 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
