// Decides which URLs and IP addresses the fetcher may reach. No DNS and no sockets of its own:
// the fetcher applies it before connecting, and through createGuardedLookup to every address a
// host name resolves to.
import type { LookupAddress, LookupOptions } from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { FetchError } from './types.ts';

/** What the fetcher may reach beyond the public internet. */
export interface AddressPolicy {
  /** Lets any private, loopback or link-local address through (a LAN install or tests). */
  allowPrivateNetworks: boolean;
  /** Exact origins (scheme://host:port) allowed even when private: the demo's fixture blogs. */
  allowedOrigins?: readonly string[];
}

// Plain words for a status page; ipaddr.js range names mean nothing to a blog owner.
const rangeLabels: Record<string, string> = {
  unspecified: 'unspecified address',
  broadcast: 'broadcast address',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback, this machine',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private network',
  reserved: 'reserved or documentation range',
  uniqueLocal: 'private network (unique local)',
  deprecatedSiteLocal: 'site-local',
  discard: 'discard-only range',
  rfc6052: 'local NAT64 range',
  teredo: 'Teredo tunnel',
  benchmarking: 'benchmarking range',
  deprecatedOrchid: 'ORCHID, not routable',
  orchid2: 'ORCHID, not routable',
  droneRemoteIdProtocolEntityTags: 'not routable',
  segmentRouting: 'segment routing, not routable',
  ipv4Compatible: 'deprecated IPv4-compatible form',
  unallocated: 'not a global unicast range',
  invalid: 'not an IP address',
};

// IANA lists AS112 and AMT as globally reachable although ipaddr.js names them apart.
const publicRanges = new Set(['unicast', 'as112', 'as112v6', 'amt']);

const globalUnicastV6 = ipaddr.parseCIDR('2000::/3');
const ipv4CompatibleV6 = ipaddr.parseCIDR('::/96');
const nat64WellKnown = ipaddr.parseCIDR('64:ff9b::/96');
const sixToFour = ipaddr.parseCIDR('2002::/16');
const ipv4TranslatedV6 = ipaddr.parseCIDR('::ffff:0:0:0/96');

/**
 * Names the range an address falls in: 'unicast' for a public address, otherwise an ipaddr.js
 * range name (loopback, private, linkLocal, …), judging IPv4 embedded in IPv6 by its IPv4 part.
 */
export function classifyAddress(ip: string): string {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (!ipaddr.isValid(bare)) return 'invalid';
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv4') return parsed.range();

  const v6 = parsed as ipaddr.IPv6;
  const embedded = embeddedIpv4(v6);
  if (embedded) return embedded.range();
  const range = v6.range();
  if (range !== 'unicast') return range;
  // ::a.b.c.d (RFC 4291 §2.5.5.1) is deprecated; some stacks still route it to the IPv4 address.
  if (v6.match(ipv4CompatibleV6)) return 'ipv4Compatible';
  // Only 2000::/3 is handed out for global unicast; the rest of the space is IETF-reserved.
  if (!v6.match(globalUnicastV6)) return 'unallocated';
  return 'unicast';
}

// The IPv4 address an IPv6 address stands for when it is a mapped, translated, NAT64 or 6to4
// form, so that ::ffff:127.0.0.1 or 64:ff9b::a00:1 cannot smuggle a private IPv4 past the check.
function embeddedIpv4(v6: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = v6.parts;
  const fromWords = (hi: number, lo: number): ipaddr.IPv4 =>
    new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  if (v6.isIPv4MappedAddress() || v6.match(ipv4TranslatedV6) || v6.match(nat64WellKnown)) {
    return fromWords(p[6] ?? 0, p[7] ?? 0);
  }
  // RFC 3056 §2: 2002:AABB:CCDD::/48 carries the IPv4 address AA.BB.CC.DD.
  if (v6.match(sixToFour)) return fromWords(p[1] ?? 0, p[2] ?? 0);
  return null;
}

/** Tells whether an IP address is on the public internet and so safe to connect to. */
export function isPublicAddress(ip: string): boolean {
  return publicRanges.has(classifyAddress(ip));
}

/** Describes in plain words why an address is not public, e.g. "loopback, this machine". */
export function describeAddressRange(ip: string): string {
  const range = classifyAddress(ip);
  return rangeLabels[range] ?? range;
}

/** Returns the canonical origin of an http(s) URL or origin string, or null when it is not one. */
export function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Tells whether a URL's origin is one of the explicitly allowed origins. */
export function isAllowedOrigin(url: URL, allowedOrigins: readonly string[] | undefined): boolean {
  if (!allowedOrigins || allowedOrigins.length === 0) return false;
  return allowedOrigins.some((o) => normalizeOrigin(o) === url.origin);
}

/** Returns the IP address a URL names literally (brackets removed), or null for a host name. */
export function literalAddressOf(url: URL): string | null {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return net.isIP(host) ? host : null;
}

/**
 * Parses a URL and checks what can be checked before DNS: http(s) only, no user:pass@, and no
 * literal IP that is not public (WHATWG parsing has already turned 0x7f.1, 2130706433 and 127.1
 * into 127.0.0.1). Throws a FetchError; returns the parsed URL.
 */
export function checkFetchableUrl(url: string | URL, policy: AddressPolicy): URL {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch (err) {
    throw new FetchError('invalid-url', String(url), `"${String(url)}" is not a valid web address`, {
      cause: err,
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new FetchError(
      'unsupported-scheme',
      parsed.href,
      `only http and https addresses can be fetched, not ${parsed.protocol.replace(/:$/, '')}:`,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new FetchError(
      'credentials-in-url',
      parsed.href,
      'addresses with a user name or password in them (user:pass@) are not fetched',
    );
  }
  if (policy.allowPrivateNetworks || isAllowedOrigin(parsed, policy.allowedOrigins)) return parsed;
  const literal = literalAddressOf(parsed);
  if (literal !== null && !isPublicAddress(literal)) {
    throw new FetchError(
      'blocked-address',
      parsed.href,
      `refused to connect to private address ${literal} (${describeAddressRange(literal)})`,
    );
  }
  return parsed;
}

/**
 * Wraps a resolver so that it refuses host names resolving only to addresses the guard rejects,
 * answering both forms net.connect uses: with {all: true} (autoSelectFamily) and without.
 */
export function createGuardedLookup(resolve: LookupFunction, allowAddress: (ip: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    const wantAll = options.all === true;
    const allOptions: LookupOptions = { ...options, all: true };
    resolve(hostname, allOptions, (err, result, family) => {
      if (err) {
        callback(err, wantAll ? [] : '', undefined);
        return;
      }
      const addresses: LookupAddress[] =
        typeof result === 'string' ? [{ address: result, family: family ?? (result.includes(':') ? 6 : 4) }] : result;
      // Dropping private answers and keeping public ones still never reaches a private host.
      const allowed = addresses.filter((a) => allowAddress(a.address));
      const first = allowed[0];
      if (!first) {
        const refused = addresses[0]?.address ?? 'unknown';
        const refusal = new FetchError(
          'blocked-address',
          hostname,
          `refused to connect to private address ${refused} (${describeAddressRange(refused)}): ${hostname} resolves there`,
        ) as FetchError & NodeJS.ErrnoException;
        callback(refusal, wantAll ? [] : '', undefined);
        return;
      }
      if (wantAll) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}
