import { describe, expect, it } from 'vitest';
import { createLogger, prettyAvailable } from '../src/logger.ts';

const missing = (name: string): string => {
  throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
};

describe('createLogger', () => {
  it('finds pino-pretty where it is installed (development)', () => {
    expect(prettyAvailable()).toBe(true);
  });

  it('falls back to JSON lines when pretty output is asked for and pino-pretty is not installed (the production image)', () => {
    expect(prettyAvailable(missing)).toBe(false);
    // Asking pino for a transport it cannot load throws here; the fallback never asks.
    const logger = createLogger({ level: 'silent', pretty: true, resolve: missing });
    expect(() => logger.info('still logs')).not.toThrow();
  });
});
