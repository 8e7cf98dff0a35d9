// The key a client is counted under by rate limits: its IPv4 address, or the /64 network of its
// IPv6 address (one subscriber gets a whole /64, so counting single addresses counts nothing).
import ipaddr from 'ipaddr.js';

/** Returns the rate-limit key of a client address: IPv4 as is, IPv6 as its /64 prefix. */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return address;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
    const parts = v6.parts.slice(0, 4).map((p) => p.toString(16));
    return `${parts.join(':')}::/64`;
  }
  return parsed.toString();
}
