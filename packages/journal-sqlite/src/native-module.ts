import { readFileSync } from 'node:fs';
import { JournalUnavailableError } from '@tolem/core';

const REBUILD = '`npm rebuild better-sqlite3` (pnpm: `pnpm rebuild better-sqlite3`)';

/** The ABI a native module was built for, from its registration symbol; null when unreadable. */
function builtFor(file: string): string | null {
  try {
    return /node_register_module_v(\d+)/.exec(readFileSync(file, 'latin1'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * What better-sqlite3 throws when its native module cannot be used (it loads it lazily, in the first
 * `new Database`), as one line naming the cause and the fix; null for any other error. Without this the
 * cause hides behind a message about the path: the module is not the file's fault.
 */
export function nativeModuleError(error: unknown): JournalUnavailableError | null {
  if (!(error instanceof Error)) return null;
  // `bindings` found no compiled module anywhere: the install-time build failed or never ran.
  if (error.message.startsWith('Could not locate the bindings file')) {
    return new JournalUnavailableError(
      'native_module_missing',
      `better-sqlite3's native module was never built for Node.js ${process.version} (its install script needs python3, make and a C++ compiler, and pnpm 10 runs it only once allowed by \`pnpm approve-builds\`): install those, then ${REBUILD}`,
      { cause: error },
    );
  }
  if ((error as { code?: unknown }).code !== 'ERR_DLOPEN_FAILED') return null;
  // Node names the ABIs when the module registers with the wrong one; when it fails earlier (a missing
  // V8 symbol) the file itself still says which ABI it was built for.
  const versions =
    /NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/.exec(
      error.message,
    );
  const file = /(\/\S+?\.node)\b/.exec(error.message)?.[1];
  const built = versions?.[1] ?? (file === undefined ? null : builtFor(file));
  if (built !== null && built !== process.versions.modules) {
    return new JournalUnavailableError(
      'native_module_other_node',
      `better-sqlite3's native module was built for another Node.js (ABI ${built}; Node.js ${process.version} needs ${process.versions.modules}): rebuild it for this Node.js with ${REBUILD}`,
      { cause: error },
    );
  }
  const detail = error.message.split('\n', 1)[0]?.trim() ?? '';
  return new JournalUnavailableError(
    'native_module_unloadable',
    `better-sqlite3's native module cannot be loaded by Node.js ${process.version} on ${process.platform}-${process.arch} (${detail}): reinstall it here with ${REBUILD}`,
    { cause: error },
  );
}
