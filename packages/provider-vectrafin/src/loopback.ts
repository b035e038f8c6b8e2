import { ConfigError } from '@tolem/core';

/**
 * Plain http is safe only where no one else can read the line: a literal loopback address, or the
 * name `localhost` itself (resolved from the hosts file). Any other name goes to a resolver that may
 * ask DNS — `foo.localhost`, `localhost.`, `127.0.0.1.nip.io` all do on a stock glibc — and the
 * agent password would then travel in clear text to whatever address DNS answers.
 */

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Whether `hostname` is `localhost`, an address in 127.0.0.0/8 or `::1`, in any spelling the WHATWG
 * URL parser turns into one of those (`127.1`, `0x7f.1`, `0177.0.0.1`, `[0:0:0:0:0:0:0:1]`, `LOCALHOST`).
 * Names are never resolved here: a name other than `localhost` is refused.
 */
export function isLoopback(hostname: string): boolean {
  const host = normaliseHost(hostname);
  return host === 'localhost' || host === '[::1]' || (host !== null && IPV4_LOOPBACK.test(host));
}

/**
 * Refuses plain http to anything but a loopback host (see `isLoopback`), and any scheme but http(s),
 * with a ConfigError naming `field` (`baseUrl`, `--url`) and saying how to fix it.
 */
export function assertSecureUrl(url: URL, field: string): void {
  if (url.protocol === 'https:') return;
  if (url.protocol !== 'http:') {
    throw new ConfigError(field, `an https:// URL is required, got ${url.protocol}`);
  }
  if (isLoopback(url.hostname)) return;
  throw new ConfigError(
    field,
    'plain http is accepted only for 127.0.0.1, [::1] or localhost (other names may be resolved by DNS): use https://, or http://127.0.0.1:PORT for a local simulator',
  );
}

/** The host as the WHATWG URL parser spells it (lower case, IPv4 in dotted decimal, IPv6 compressed). */
function normaliseHost(hostname: string): string | null {
  const bare = hostname.trim();
  if (bare === '' || /[/?#@\s]/.test(bare)) return null;
  const bracketed = bare.includes(':') && !bare.startsWith('[') ? `[${bare}]` : bare;
  try {
    return new URL(`http://${bracketed}/`).hostname;
  } catch {
    return null;
  }
}
