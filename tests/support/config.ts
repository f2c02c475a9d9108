// The configuration error a call must throw (SPEC §8: bad configuration stops the process with one
// clear line naming the variable).
import { expect } from 'vitest';
import { ConfigError } from '../../src/config/index.js';

export function configRefusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
