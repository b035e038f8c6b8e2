import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor, worstExitCode } from './exit-codes.js';

describe('exitCodeFor', () => {
  it.each([
    ['succeeded', null, EXIT.ok],
    ['failed', 'account_not_found', EXIT.failed],
    ['pending', null, EXIT.notFinal],
    ['unknown', 'timeout', EXIT.notFinal],
    ['unknown', 'not_found', EXIT.notFinal],
    ['unknown', 'insufficient_funds', EXIT.notFinal],
    ['unknown', 'connection_refused', EXIT.other],
    ['unknown', 'auth_failed', EXIT.other],
  ] as const)('%s / %s → %i', (state, reason, code) => {
    expect(exitCodeFor({ state, reason })).toBe(code);
  });

  it('the worst of several chunk codes wins: setup, then not final, then failed', () => {
    expect(worstExitCode([EXIT.ok, EXIT.failed, EXIT.notFinal])).toBe(EXIT.notFinal);
    expect(worstExitCode([EXIT.ok, EXIT.failed])).toBe(EXIT.failed);
    expect(worstExitCode([EXIT.ok, EXIT.ok])).toBe(EXIT.ok);
    expect(worstExitCode([EXIT.notFinal, EXIT.other])).toBe(EXIT.other);
  });
});
