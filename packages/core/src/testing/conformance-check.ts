/**
 * What every conformance suite is made of: named checks, each a plain async function. The suites'
 * `run…Conformance` wrap each in a vitest `it`; a test can run one directly to prove that a broken
 * implementation fails it.
 */
export interface ConformanceCheck {
  name: string;
  run(): Promise<void>;
}

/**
 * Makes checks that each run on a fresh instance of what is under test (a journal): `open` makes it,
 * a check's body runs on it, and whichever instance the check holds at the end is closed — `hold` swaps
 * it when the body reopened the store.
 */
export function checksOnFresh<T extends { close(): Promise<void> }>(open: () => Promise<T> | T) {
  return (name: string, body: (instance: T, hold: (next: T) => void) => Promise<void>): ConformanceCheck => ({
    name,
    async run() {
      let instance = await open();
      try {
        await body(instance, (next) => {
          instance = next;
        });
      } finally {
        await instance.close();
      }
    },
  });
}
