import { ConfigError } from '@tolem/core';

/**
 * A ConfigError about a configuration file: `option` is the path inside the file
 * (`providers[1].baseUrl`), `file` the file (or `undefined` for a configuration given as a value), and
 * the message says both, so one line tells the operator where to look.
 */
export class ConfigFileError extends ConfigError {
  readonly file: string | undefined;

  constructor(file: string | undefined, option: string, rule: string, options: { cause?: unknown } = {}) {
    super(option, rule, options);
    this.name = 'ConfigFileError';
    this.file = file;
    if (file !== undefined) this.message = `${file}: ${option}: ${rule}`;
  }
}

/** `providers[1].baseUrl`, `routes.steam[0].provider`, `routes["gift.kz"]`: a path as a person reads it. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment))
      text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** `parent` + a dotted option a factory named (`baseUrl`, `accountPatterns.7`) as one readable path. */
export function joinPath(parent: readonly PropertyKey[], option: string): string {
  const rest = option === '' || option === 'options' ? [] : option.split('.');
  return formatPath([...parent, ...rest]);
}
