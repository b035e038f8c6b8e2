export { EXIT, type ExitCode, exitCodeFor } from './exit-codes.js';
export { type Io, processIo } from './io.js';
export { main } from './main.js';
export { run } from './run.js';
