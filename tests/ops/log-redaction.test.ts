// No log line holds a password, a code or a credential header, wherever in the logged object it
// sits (src/shared/logger.ts). Real pino loggers writing real lines; each line parsed back.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '../../src/shared/logger.js';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('info', 'medq-test', sink), lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const SECRETS = ['hunter2-pass', '482913', 'jwt-secret-value', 'Bearer eyJabc', 'sid=abc'];

describe('log redaction', () => {
  it('censors every secret field at the top, one level down, in headers, and in child bindings', () => {
    const c = capture();
    c.logger.info({ password: 'hunter2-pass', code: '482913', phone: '+919812345678' }, 'top level');
    c.logger.info({ body: { new_password: 'hunter2-pass', current_password: 'hunter2-pass', code: '482913', username: 'asha' } }, 'one level down');
    c.logger.info({ config: { jwtSecret: 'jwt-secret-value', ariPassword: 'hunter2-pass', smppUrl: 'smpp://u:hunter2-pass@h', port: 8080 } }, 'a config logged whole');
    c.logger.info({ headers: { authorization: 'Bearer eyJabc', 'user-agent': 'curl' } }, 'headers');
    c.logger.info({ req: { method: 'POST', headers: { authorization: 'Bearer eyJabc', cookie: 'sid=abc', host: 'clinic' } } }, 'request headers');
    c.logger.info({ tempPassword: 'hunter2-pass', passwordHash: '$argon2id$…' }, 'credentials');
    c.logger.child({ code: '482913', call: 'c-1' }).info('child bindings');
    c.logger.child({ role: 'api' }).child({ reqId: 'r-1', body: { password: 'hunter2-pass' } }).info('a child of a child');
    const text = c.lines.join('\n');
    for (const s of SECRETS) expect(text).not.toContain(s);
    const [top, nested, config, headers, req, creds, child, grandchild] = c.parsed();
    expect(top).toMatchObject({ password: '[redacted]', code: '[redacted]', phone: '+919812345678', msg: 'top level' });
    expect(nested!['body']).toEqual({ new_password: '[redacted]', current_password: '[redacted]', code: '[redacted]', username: 'asha' });
    expect(config!['config']).toEqual({ jwtSecret: '[redacted]', ariPassword: '[redacted]', smppUrl: '[redacted]', port: 8080 });
    expect(headers!['headers']).toEqual({ authorization: '[redacted]', 'user-agent': 'curl' });
    expect(req!['req']).toEqual({ method: 'POST', headers: { authorization: '[redacted]', cookie: '[redacted]', host: 'clinic' } });
    expect(creds).toMatchObject({ tempPassword: '[redacted]', passwordHash: '[redacted]' });
    expect(child).toMatchObject({ code: '[redacted]', call: 'c-1' });
    expect(grandchild).toMatchObject({ role: 'api', reqId: 'r-1', body: { password: '[redacted]' } });
  });

  it('leaves lines without secrets as they are, and does not change the object the caller logged', () => {
    const c = capture();
    const prompt = { playback: 'p1', prompt: ['welcome', 'main-menu'], text: 'Welcome. To book, press 1.' };
    const body = { password: 'hunter2-pass' };
    const logged = { body };
    c.logger.info(prompt, 'prompt');
    c.logger.info(logged, 'login');
    expect(c.parsed()[0]).toMatchObject({ ...prompt, msg: 'prompt' });
    expect(body.password).toBe('hunter2-pass'); // the caller's object is copied, not censored in place
    expect(redactSecrets(prompt)).toBe(prompt); // nothing to censor: no copy made
  });

  it('logs an error whole (message, stack and its errno-style code)', () => {
    const c = capture();
    const err = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    c.logger.error({ err }, 'write failed');
    const [line] = c.parsed();
    expect(line!['err']).toMatchObject({ message: 'database is locked', code: 'SQLITE_BUSY', type: 'Error' });
    expect(String((line!['err'] as { stack: string }).stack)).toContain('database is locked');
  });
});
