import { zonedParts } from '@tolem/core';
import type { PaymentView } from '@tolem/router';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { untilAborted } from '../commands/simulator.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { columnTable } from '../format/table.js';
import { stopSignal } from '../interrupted.js';
import { writeLine } from '../io.js';
import {
  AGENTS,
  BREAKER_RESET_MS,
  type DemoStack,
  type DemoStackOptions,
  ESCALATE_AFTER_MS,
  PRIMARY,
  SECONDARY,
  STUCK_ACCOUNT,
  startDemoStack,
} from './demo-stack.js';
import { Narrator } from './narrator.js';
import { type DemoPayment, SHIFT, SHIFT_STEPS, type Shift } from './shift.js';
import { startTrickle, TRICKLE_INTERVAL_MS } from './trickle.js';

/** Narrates what the router does on its own: breakers, failovers, callbacks, late finals. */
function narrateEvents(shift: Shift): () => void {
  const { router } = shift.stack;
  const { narrator, counters } = shift;
  const offs = [
    router.events.on('breaker.state', (event) =>
      narrator.event(`breaker of ${event.provider}: ${event.previous} → ${event.state}`),
    ),
    router.events.on('failover', (event) => {
      if (event.operation === 'checkAccount') {
        counters.checkFailovers += 1;
        return;
      }
      narrator.event(
        `${event.operation} moved from ${event.from} to ${event.to} (${event.reason}): nothing had been sent to ${event.from}`,
      );
    }),
    router.events.on('callback', (event) => {
      counters.callbacks += 1;
      if (!shift.showCallbacks) return;
      const why =
        event.result === 'throttled'
          ? 'checked moments ago: answered from the journal, Status asked again shortly'
          : 'confirmed with Status before the journal moves';
      narrator.event(
        `callback from ${event.provider} for ${event.paymentId ?? 'an unknown payment'}: ${event.result} (${why})`,
      );
    }),
    router.events.on('payment.final', (event) => {
      if (event.durationMs > 500)
        narrator.event(
          `${event.paymentId} is final: ${event.state} after ${Math.round(event.durationMs / 100) / 10} s`,
        );
    }),
    router.events.on('payment.stuck', (event) =>
      narrator.event(`${event.paymentId} is stuck (${event.state}); it is still re-checked`),
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}

function summaryTable(payments: readonly DemoPayment[]): string {
  return columnTable(
    ['payment', 'service', 'amount', 'provider', 'expected', 'final state', ''],
    payments.map((payment) => [
      payment.paymentId,
      payment.service,
      `${payment.amount} ${payment.currency}`,
      payment.view.provider,
      payment.expected.state,
      `${payment.view.state}${payment.view.reason ? ` (${payment.view.reason})` : ''}`,
      payment.ok ? '✓' : '✗',
    ]),
    [2],
  );
}

async function scrapeSample(url: string): Promise<string[]> {
  try {
    const response = await fetch(url);
    const text = await response.text();
    return text
      .split('\n')
      .filter((line) => line.startsWith('tolem_payments_total{') && !line.endsWith(' 0'));
  } catch {
    return [];
  }
}

/** The payment `demo --serve` leaves open on purpose, for an operator to look at and resolve. */
export const HELD_PAYMENT_ID = 'held-for-operator';

/** A word for a shell: quoted only when it needs to be. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/** Commands that read the demo's journal: they work after it exits. */
function journalCommands(stack: DemoStack): string[] {
  const journal = `--journal ${shellWord(`sqlite:${stack.journalPath}`)}`;
  return [
    `tolem payments list ${journal}`,
    `tolem payments list --state failed ${journal}`,
    `tolem payments show shift-06-timeout ${journal}`,
  ];
}

/** Commands that also ask the sandbox (through the demo's configuration): while `--serve` runs. */
function operatorCommands(stack: DemoStack): string[] {
  const config = `--config ${shellWord(stack.configPath)}`;
  const zone = stack.router.providers.get(PRIMARY)?.timeZone ?? 'Europe/Moscow';
  const today = zonedParts(new Date(), zone).date;
  return [
    `tolem payments list --stuck ${config}`,
    `tolem payments show ${HELD_PAYMENT_ID} ${config}`,
    `tolem payments resolve ${HELD_PAYMENT_ID} --as failed --actor you --note 'support says it never arrived' ${config}`,
    `tolem payments resolve ${HELD_PAYMENT_ID} --as succeeded --actor you --note 'support confirmed it by phone' --evidence 'ticket 1' ${config}`,
    `tolem reconcile --provider ${PRIMARY} --date ${today} ${config}`,
    `tolem eod --provider ${PRIMARY} --date ${today} ${config}`,
  ];
}

/**
 * Pays the payment the sandbox holds pending for a day: the finalizer escalates it as stuck. It waits
 * for vf-a's breaker, opened by the shift, to let a call through again, so that the payment goes where
 * every first payment goes (and the shift's one failover stays the only one).
 */
async function holdOnePayment(stack: DemoStack, signal: AbortSignal): Promise<PaymentView> {
  const deadline = Date.now() + BREAKER_RESET_MS + 2_000;
  while (stack.router.breakerState(PRIMARY) === 'open' && Date.now() < deadline && !signal.aborted)
    await new Promise((resolve) => setTimeout(resolve, 100));
  return stack.router.pay(
    {
      paymentId: HELD_PAYMENT_ID,
      service: 'steam',
      account: STUCK_ACCOUNT,
      amount: '175.00',
      currency: 'KZT',
    },
    { signal },
  );
}

function document(
  stack: DemoStack,
  payments: readonly DemoPayment[],
  ok: boolean,
  seconds: string,
  held: PaymentView | null,
): Record<string, unknown> {
  return {
    ok,
    seconds,
    simulatorUrl: stack.simulator.url,
    metricsUrl: stack.metricsUrl,
    folder: stack.folder,
    journalPath: stack.journalPath,
    configPath: stack.configPath,
    commands: [...journalCommands(stack), ...(held === null ? [] : operatorCommands(stack))],
    heldPayment:
      held === null
        ? null
        : {
            paymentId: held.paymentId,
            state: held.state,
            final: held.final,
            provider: held.provider,
            transactionId: held.transactionId,
          },
    payments: payments.map((payment) => ({
      title: payment.title,
      paymentId: payment.paymentId,
      service: payment.service,
      amount: payment.amount,
      currency: payment.currency,
      expected: payment.expected,
      provider: payment.view.provider,
      transactionId: payment.view.transactionId,
      state: payment.view.state,
      final: payment.view.final,
      reason: payment.view.reason,
      providerStatus: payment.view.providerStatus,
      message: payment.view.message,
      ok: payment.ok,
    })),
  };
}

/**
 * `tolem demo`: a shift at a payment agent against the sandbox, narrated step by step; exit 0 only
 * when every payment reached the state it should. `--serve` keeps everything up until Ctrl-C.
 */
export async function runDemo(context: CommandContext, options: DemoStackOptions = {}): Promise<ExitCode> {
  const serve = context.flags.serve === true;
  // With --json the narration goes to stderr, so stdout carries exactly one JSON document.
  const out = context.json ? context.io.stderr : context.io.stdout;
  const narrator = new Narrator(out, SHIFT_STEPS);
  narrator.line('tolem demo: a shift at a payment agent, against the VectraFin sandbox');
  const stack = await narrator.wait('starting the sandbox, the router and /metrics', startDemoStack(options));
  try {
    narrator.line(
      `  simulator   ${stack.simulator.url}  (agents ${AGENTS[PRIMARY]} and ${AGENTS[SECONDARY]})`,
    );
    narrator.line(`  providers   ${PRIMARY} first, ${SECONDARY} second on every route`);
    narrator.line(`  journal     ${stack.journalPath} (SQLite)`);
    narrator.line(`  config      ${stack.configPath}`);
    narrator.line(`  metrics     ${stack.metricsUrl}`);
    narrator.line(`  callbacks   ${stack.baseUrl}/callbacks/<token>/<provider>  (a random token per run)`);
    const shift: Shift = {
      stack,
      narrator,
      signal: context.signal,
      payments: [],
      counters: { checkFailovers: 0, callbacks: 0 },
      showCallbacks: false,
    };
    const stopNarrating = narrateEvents(shift);
    try {
      for (const step of SHIFT) {
        if (context.signal.aborted) throw new CliError('demo interrupted', EXIT.other, 'interrupted');
        await step(shift);
      }
    } finally {
      stopNarrating();
    }
    const ok = shift.payments.length > 0 && shift.payments.every((payment) => payment.ok);
    narrator.line();
    narrator.line('Summary');
    narrator.line(summaryTable(shift.payments));
    const sample = await scrapeSample(stack.metricsUrl);
    narrator.line();
    narrator.line(`Metrics: ${stack.metricsUrl}${sample.length > 0 ? ', for example:' : ''}`);
    for (const line of sample.slice(0, 4)) narrator.line(`  ${line}`);
    narrator.line();
    narrator.line(
      ok
        ? `Every payment reached the state it should, in ${narrator.elapsedSeconds()} s.`
        : `Not every payment reached the state it should (see ✗ above).`,
    );
    narrator.line();
    narrator.line(`The journal stays in ${stack.folder} (remove the folder when done). Look at it:`);
    for (const command of journalCommands(stack)) narrator.line(`  ${command}`);
    const held = serve && !context.signal.aborted ? await holdOnePayment(stack, context.signal) : null;
    if (context.json)
      writeLine(
        context.io.stdout,
        JSON.stringify(document(stack, shift.payments, ok, narrator.elapsedSeconds(), held), null, 2),
      );
    if (serve && !context.signal.aborted) {
      narrator.line();
      narrator.line('Serving until Ctrl-C:');
      narrator.line(`  metrics     ${stack.metricsUrl}   (point Prometheus here)`);
      narrator.line(`  simulator   ${stack.simulator.url}`);
      narrator.line(`  callbacks   ${stack.baseUrl}/callbacks/<token>/<provider>`);
      if (held !== null) {
        narrator.line(
          `  held        ${held.paymentId}: ${held.state} at ${held.provider}; the sandbox holds it for a day, the finalizer reports it stuck after ${ESCALATE_AFTER_MS / 1000} s`,
        );
      }
      narrator.line('  the finalizer keeps running; the balance is polled every 15 s');
      narrator.line(
        `  traffic     a trickle: a check or a payment every ${TRICKLE_INTERVAL_MS / 1000} s, with a decline, a timeout, a callback, a failover and a held payment each cycle`,
      );
      narrator.line(
        `  operator    while it serves, the configuration reaches the sandbox${context.io.env.TOLEM_VECTRAFIN_PASSWORD ? ' (with TOLEM_VECTRAFIN_PASSWORD set as for the demo)' : ''}:`,
      );
      for (const command of operatorCommands(stack)) narrator.line(`    ${command}`);
      // Starts once the shift's open breaker may probe again: its first check closes it.
      const trickle = startTrickle(stack, { firstDelayMs: BREAKER_RESET_MS + 500 });
      try {
        await untilAborted(context.signal);
      } finally {
        await trickle.stop();
      }
      const { checks, payments, refused } = trickle.counts;
      narrator.line(
        `stopping… (the trickle made ${checks} check(s) and ${payments} payment(s)${refused > 0 ? `; ${refused} refused with nothing sent` : ''})`,
      );
      await stack.stop();
      // A stop by Ctrl-C or SIGTERM is the way --serve ends: a clean one exits 0 (pnpm then reports no failure).
      const by = stopSignal(context.signal);
      narrator.line(
        `stopped${by === null ? '' : ` on ${by}`}: the simulator, router, finalizer, journal and /metrics are closed${ok ? '' : ' (not every payment reached the state it should)'}`,
      );
      narrator.line(`the journal and the configuration stay in ${stack.folder}`);
    }
    return ok ? EXIT.ok : EXIT.other;
  } finally {
    await stack.stop();
  }
}
