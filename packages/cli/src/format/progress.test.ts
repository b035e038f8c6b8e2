import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressLine } from './progress.js';

function stream(tty: boolean): PassThrough & { isTTY?: boolean; text(): string } {
  const out = new PassThrough() as PassThrough & { isTTY?: boolean; text(): string };
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  out.isTTY = tty;
  out.text = () => text;
  return out;
}

describe('ProgressLine', () => {
  it('on a terminal: one line rewritten in place, ended with a newline', () => {
    const out = stream(true);
    const progress = new ProgressLine(out);
    progress.update('registry chunk 1/2 (payments 1–1000): sending…');
    progress.update('registry chunk 1/2 (payments 1–1000): accepted');
    progress.update('daily totals: sent');
    progress.done();
    expect(out.text()).toBe(
      '\rregistry chunk 1/2 (payments 1–1000): sending…' +
        '\rregistry chunk 1/2 (payments 1–1000): accepted' +
        `\rdaily totals: sent${' '.repeat('registry chunk 1/2 (payments 1–1000): accepted'.length - 'daily totals: sent'.length)}` +
        '\n',
    );
  });

  it('elsewhere (a pipe, a log): plain lines, nothing to clear', () => {
    const out = stream(false);
    const progress = new ProgressLine(out);
    progress.update('registry chunk 1/1 (payments 1–3): sending…');
    progress.update('registry chunk 1/1 (payments 1–3): accepted');
    progress.done();
    expect(out.text()).toBe(
      'registry chunk 1/1 (payments 1–3): sending…\nregistry chunk 1/1 (payments 1–3): accepted\n',
    );
  });
});
