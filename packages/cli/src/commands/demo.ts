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
  run: (context) =>
    // Read before anything starts: a bad value is bad input (exit 2) and nothing runs.
    runDemo(context, {
      metricsPort: readPort(optionalString(context.flags, 'metrics-port'), 'metrics-port'),
    }),
};
