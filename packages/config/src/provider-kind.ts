import type { PaymentProvider } from '@tolem/core';
import { load } from './journal-spec.js';

/** A provider built from a configuration entry, with the zone its provider keeps its days in. */
export interface ConfiguredProvider {
  provider: PaymentProvider;
  /**
   * IANA zone of the provider's business day (its registries, totals and payment lists): end of day and
   * `tolem reconcile --date` cut days in it.
   */
  timeZone: string;
}

/**
 * How a `kind` of provider is built from its configuration entry. A provider package exports one and a
 * service passes it to `createFromConfig({ kinds: [acmeKind] })`; `vectrafin` is built in.
 */
export interface ProviderKind {
  /** The `kind` an entry names: `"vectrafin"`. */
  readonly kind: string;
  /**
   * Options a configuration file may set besides `id` and `kind` (others are refused as misspelt);
   * options that only make sense in code (a dispatcher, a clock) are left out on purpose.
   */
  readonly options: readonly string[];
  /** Options whose value is a secret: given as `{ "env" }` or `{ "file" }`, passed on as a core Secret. */
  readonly secretOptions: readonly string[];
  /**
   * Builds the provider with the provider package's own factory, whose ConfigErrors name the option
   * (they are reported as `providers[N].<option>`). Receives `id` and the options, secrets resolved.
   */
  create(options: Readonly<Record<string, unknown>>): ConfiguredProvider | Promise<ConfiguredProvider>;
}

/** VectraFin (@tolem/provider-vectrafin): every option of createVectrafinProvider a file can carry. */
export const vectrafinKind: ProviderKind = {
  kind: 'vectrafin',
  options: [
    'baseUrl',
    'agentId',
    'password',
    'timeZone',
    'connections',
    'queueLimit',
    'queueTimeoutMs',
    'timeoutMs',
    'serviceKinds',
    'accountPatterns',
  ],
  secretOptions: ['password'],
  async create(options) {
    const { createVectrafinProvider } = await load(
      () => import('@tolem/provider-vectrafin'),
      '@tolem/provider-vectrafin',
      'kind',
      undefined,
    );
    const provider = createVectrafinProvider(
      options as unknown as Parameters<typeof createVectrafinProvider>[0],
    );
    return { provider, timeZone: provider.timeZone };
  },
};

/** The kinds every configuration knows without being told. */
export const BUILT_IN_KINDS: readonly ProviderKind[] = [vectrafinKind];
