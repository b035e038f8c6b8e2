import { optionalString } from '../args.js';
import type { Command } from '../command.js';
import { runDemo } from '../demo/run-demo.js';
import { readPort } from './simulator.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'The quick start: a simulated shift through the router, journal, breaker and metrics.',
  usage: 'tolem demo [--serve] [--metrics-port N]',
  options: {
    serve: {
      type: 'boolean',
      description: 'keep the simulator, router, finalizer and /metrics running until Ctrl-C',
    },
    'metrics-port': {
      type: 'string',
      value: 'N',
      description: 'serve /metrics on 127.0.0.1:N (default: a free port)',
    },
  },
  run: (context) => {
    // Read before anything starts: a bad value is bad input (exit 2) and nothing runs.
    const metricsPort = readPort(optionalString(context.flags, 'metrics-port'), 'metrics-port');
    // The sandbox agents take TOLEM_VECTRAFIN_PASSWORD when it is set, so `tolem vectrafin …` (or a
    // second router) can reach the demo's sandbox; it is scrubbed from anything printed.
    const agentPassword = context.io.env.TOLEM_VECTRAFIN_PASSWORD || undefined;
    if (agentPassword !== undefined) context.addSecret(agentPassword);
    return runDemo(context, {
      metricsPort,
      env: context.io.env,
      ...(agentPassword === undefined ? {} : { agentPassword }),
    });
  },
};
