import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Secret } from '@tolem/core';
import * as z from 'zod';
import { ConfigFileError } from './config-error.js';

/** Where a secret is kept: an environment variable, or a file whose text (final newline aside) it is. */
export type SecretSource = { env: string } | { file: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * A secret (`password`, a voucher key, a database URL with a password) in a configuration file: only
 * `{ "env": "NAME" }` or `{ "file": "PATH" }`. An inline value is refused with the reason, never
 * quoted back.
 */
export function secretSourceSchema(what: string) {
  return z.unknown().transform((value, ctx): SecretSource => {
    if (typeof value === 'string') {
      ctx.addIssue({
        code: 'custom',
        message: `an inline ${what} is refused (a configuration file is copied, committed and pasted into tickets): name where it is kept instead, { "env": "VARIABLE" } or { "file": "path/to/file" }`,
      });
      return z.NEVER;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `where the ${what} is kept is required: { "env": "VARIABLE" } or { "file": "path/to/file" }`,
      });
      return z.NEVER;
    }
    const keys = Object.keys(value);
    const source = value as Record<string, unknown>;
    if (keys.length === 1 && typeof source.env === 'string') {
      if (!ENV_NAME.test(source.env)) {
        ctx.addIssue({
          code: 'custom',
          path: ['env'],
          message: 'an environment variable name: letters, digits and _, not starting with a digit',
        });
        return z.NEVER;
      }
      return { env: source.env };
    }
    if (keys.length === 1 && typeof source.file === 'string' && source.file.trim() !== '') {
      if (source.file.includes('\0')) {
        ctx.addIssue({ code: 'custom', path: ['file'], message: 'must not contain a NUL character' });
        return z.NEVER;
      }
      return { file: source.file };
    }
    ctx.addIssue({
      code: 'custom',
      message: `exactly one of { "env": "VARIABLE" } or { "file": "path/to/file" } is required for the ${what}`,
    });
    return z.NEVER;
  });
}

export interface SecretContext {
  env: Readonly<Record<string, string | undefined>>;
  /** Folder that relative `file` paths are read from (the configuration file's). */
  folder: string;
  /** The configuration file, for error messages. */
  file: string | undefined;
}

/** Reads a secret from where the configuration says it is kept; errors name `path` and never the value. */
export function readSecret(source: SecretSource, context: SecretContext, path: string): Secret {
  if ('env' in source) {
    const value = context.env[source.env];
    if (value === undefined || value === '') {
      throw new ConfigFileError(
        context.file,
        path,
        `the environment variable ${source.env} is not set (or empty): export it before starting`,
      );
    }
    return new Secret(value);
  }
  const full = isAbsolute(source.file) ? source.file : resolve(context.folder, source.file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigFileError(
      context.file,
      path,
      `cannot read ${full} (${typeof code === 'string' ? code : 'unreadable'}): name a readable file`,
      { cause: error },
    );
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new ConfigFileError(context.file, path, `${full} is empty`);
  return new Secret(value);
}
