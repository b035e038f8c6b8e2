import { writeLine } from '../io.js';

/**
 * Progress of a long step on stderr, never on stdout (which carries --json's one document): on a
 * terminal one line rewritten in place, elsewhere (a pipe, a log file, CI) one plain line per update.
 */
export class ProgressLine {
  readonly #out: NodeJS.WritableStream & { isTTY?: boolean };
  #width = 0;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean }) {
    this.#out = out;
  }

  update(text: string): void {
    if (this.#out.isTTY !== true) {
      writeLine(this.#out, text);
      return;
    }
    const pad = ' '.repeat(Math.max(0, this.#width - text.length));
    this.#out.write(`\r${text}${pad}`);
    this.#width = text.length;
  }

  /** Ends the live line (a terminal keeps its last state on screen). */
  done(): void {
    if (this.#out.isTTY === true && this.#width > 0) this.#out.write('\n');
    this.#width = 0;
  }
}
