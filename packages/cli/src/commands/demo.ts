import type { Command } from '../command.js';
import { runDemo } from '../demo/run-demo.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'The quick start: a simulated shift through the router, journal, breaker and metrics.',
  usage: 'tolem demo [--serve]',
  options: {
    serve: {
      type: 'boolean',
      description: 'keep the simulator, router, finalizer and /metrics running until Ctrl-C',
    },
  },
  run: (context) => runDemo(context),
};
