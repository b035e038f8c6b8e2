import { writeLine } from '../io.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * The demo's progress display: numbered steps with indented details. On a terminal a spinner shows
 * while something is awaited; elsewhere (a pipe, CI) the same text comes out as plain lines.
 */
export class Narrator {
  readonly #out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #total: number;
  readonly #started = Date.now();
  #step = 0;
  #spinning: { timer: NodeJS.Timeout; label: string } | null = null;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean }, totalSteps: number) {
    this.#out = out;
    this.#total = totalSteps;
  }

  get tty(): boolean {
    return this.#out.isTTY === true;
  }

  line(text = ''): void {
    this.#clearSpinner();
    writeLine(this.#out, text);
  }

  /** "[ 3/10] Static voucher …" */
  step(title: string): void {
    this.#step += 1;
    const width = String(this.#total).length;
    this.line();
    this.line(`[${String(this.#step).padStart(width)}/${this.#total}] ${title}`);
  }

  /** An indented detail under the current step. */
  detail(text: string): void {
    this.line(`        ${text}`);
  }

  /** Something that happened on its own (an event): breaker, failover, callback. */
  event(text: string): void {
    this.line(`        ↳ ${text}`);
  }

  ok(text: string): void {
    this.detail(`✓ ${text}`);
  }

  bad(text: string): void {
    this.detail(`✗ ${text}`);
  }

  /** Shows `label` while `work` runs: a spinner on a terminal, one plain line otherwise. */
  async wait<T>(label: string, work: Promise<T>): Promise<T> {
    if (!this.tty) {
      this.detail(`… ${label}`);
      return work;
    }
    let frame = 0;
    const draw = (): void => {
      this.#out.write(`\r        ${SPINNER[frame % SPINNER.length]} ${label} `);
      frame += 1;
    };
    draw();
    this.#spinning = { timer: setInterval(draw, 80), label };
    try {
      return await work;
    } finally {
      this.#clearSpinner();
    }
  }

  elapsedSeconds(): string {
    return `${Math.round((Date.now() - this.#started) / 100) / 10}`;
  }

  #clearSpinner(): void {
    if (this.#spinning === null) return;
    clearInterval(this.#spinning.timer);
    this.#out.write(`\r${' '.repeat(this.#spinning.label.length + 12)}\r`);
    this.#spinning = null;
  }
}
