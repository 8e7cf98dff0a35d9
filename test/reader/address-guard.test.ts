import { describe, expect, it } from 'vitest';
import {
  checkFetchableUrl,
  classifyAddress,
  describeAddressRange,
  isAllowedOrigin,
  isPublicAddress,
  literalAddressOf,
  normalizeOrigin,
} from '../../src/reader/address-guard.ts';
import { FetchError } from '../../src/reader/types.ts';

const closed = { allowPrivateNetworks: false };

describe('isPublicAddress', () => {
  it.each([
    ['8.8.8.8', 'IPv4 public'],
    ['1.1.1.1', 'IPv4 public'],
    ['93.184.216.34', 'IPv4 public'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['172.32.0.1', 'just above 172.16/12'],
    ['100.63.255.255', 'just below CGNAT'],
    ['100.128.0.1', 'just above CGNAT'],
    ['192.31.196.1', 'AS112, globally reachable'],
    ['2606:4700::1', 'IPv6 public (Cloudflare)'],
    ['2001:4860:4860::8888', 'IPv6 public (Google DNS)'],
    ['2a00:1450:4001:82b::200e', 'IPv6 public'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public'],
    ['64:ff9b::808:808', 'NAT64 of a public IPv4'],
    ['2002:808:808::1', '6to4 of a public IPv4'],
  ])('accepts %s (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback /8'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.255', 'private 10/8 end'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.255', 'private 172.16/12 end'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'CGNAT 100.64/10'],
    ['100.127.255.255', 'CGNAT end'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network 0/8'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast (SSDP)'],
    ['240.0.0.1', 'reserved 240/4'],
    ['192.0.2.1', 'documentation TEST-NET-1'],
    ['198.51.100.7', 'documentation TEST-NET-2'],
    ['203.0.113.9', 'documentation TEST-NET-3'],
    ['198.18.0.1', 'benchmarking'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['febf::1', 'IPv6 link-local end of fe80::/10'],
    ['fe80::1%eth0', 'IPv6 link-local with zone'],
    ['fc00::1', 'unique local fc00::/7'],
    ['fd12:3456:789a::1', 'unique local fd00::/8'],
    ['fec0::1', 'deprecated site-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['3fff::1', 'IPv6 documentation (RFC 9637)'],
    ['100::1', 'IPv6 discard-only'],
    ['2001::1', 'Teredo'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['::ffff:0:a00:1', 'IPv4-translated private'],
    ['::7f00:1', 'deprecated IPv4-compatible'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::a00:1', 'NAT64 of a private IPv4'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
    ['4000::1', 'outside 2000::/3'],
    ['not-an-ip', 'not an address'],
    ['', 'empty'],
  ])('refuses %s (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });
});

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['169.254.0.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['::ffff:192.168.0.1', 'private'],
    ['fd00::1', 'uniqueLocal'],
    ['8.8.8.8', 'unicast'],
    ['2606:4700::1', 'unicast'],
    ['[::1]', 'loopback'],
  ])('classifies %s as %s', (ip, range) => {
    expect(classifyAddress(ip)).toBe(range);
  });
});

describe('describeAddressRange', () => {
  it('names ranges in plain words', () => {
    expect(describeAddressRange('127.0.0.1')).toBe('loopback, this machine');
    expect(describeAddressRange('10.0.0.1')).toBe('private network');
    expect(describeAddressRange('fe80::1')).toBe('link-local');
  });
});

describe('normalizeOrigin', () => {
  it('drops default ports, paths and trailing slashes', () => {
    expect(normalizeOrigin('http://127.0.0.1:80/')).toBe('http://127.0.0.1');
    expect(normalizeOrigin('HTTP://Blog.Example:8080/path?q')).toBe('http://blog.example:8080');
    expect(normalizeOrigin('ftp://example.org')).toBeNull();
    expect(normalizeOrigin('not a url')).toBeNull();
  });
});

describe('isAllowedOrigin', () => {
  it('matches the exact origin only', () => {
    const allowed = ['http://127.0.0.1:4001/'];
    expect(isAllowedOrigin(new URL('http://127.0.0.1:4001/feed/'), allowed)).toBe(true);
    expect(isAllowedOrigin(new URL('http://127.0.0.1:4002/feed/'), allowed)).toBe(false);
    expect(isAllowedOrigin(new URL('https://127.0.0.1:4001/feed/'), allowed)).toBe(false);
    expect(isAllowedOrigin(new URL('http://localhost:4001/feed/'), allowed)).toBe(false);
    expect(isAllowedOrigin(new URL('http://127.0.0.1:4001/'), undefined)).toBe(false);
  });
});

describe('literalAddressOf', () => {
  it('returns IP literals without brackets and null for names', () => {
    expect(literalAddressOf(new URL('http://[::1]:8080/'))).toBe('::1');
    expect(literalAddressOf(new URL('http://10.0.0.1/'))).toBe('10.0.0.1');
    expect(literalAddressOf(new URL('http://example.org/'))).toBeNull();
  });
});

function rejectionOf(fn: () => unknown): FetchError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FetchError) return err;
    throw err;
  }
  throw new Error('expected a FetchError');
}

describe('checkFetchableUrl', () => {
  it('returns the parsed URL for public http and https addresses', () => {
    expect(checkFetchableUrl('https://example.org/feed/', closed).href).toBe('https://example.org/feed/');
    expect(checkFetchableUrl('HTTP://Example.ORG:8080/a', closed).href).toBe('http://example.org:8080/a');
    expect(checkFetchableUrl('http://8.8.8.8/', closed).hostname).toBe('8.8.8.8');
    expect(checkFetchableUrl('http://[2606:4700::1]/', closed).hostname).toBe('[2606:4700::1]');
  });

  it.each([
    ['file:///etc/passwd', 'file:'],
    ['ftp://example.org/feed.xml', 'ftp:'],
    ['javascript:alert(1)', 'javascript:'],
    ['data:text/xml,<rss/>', 'data:'],
    ['gopher://example.org/', 'gopher:'],
    ['ws://example.org/', 'ws:'],
  ])('refuses the scheme of %s', (url, scheme) => {
    const err = rejectionOf(() => checkFetchableUrl(url, { allowPrivateNetworks: true }));
    expect(err.code).toBe('unsupported-scheme');
    expect(err.message).toContain(scheme);
  });

  it.each(['http://user:pass@example.org/', 'https://user@example.org/', 'http://:secret@example.org/'])(
    'refuses credentials in %s even when private networks are allowed',
    (url) => {
      expect(rejectionOf(() => checkFetchableUrl(url, { allowPrivateNetworks: true })).code).toBe('credentials-in-url');
    },
  );

  it.each(['not a url', 'http://', 'http://[::1', 'http://exa mple.org/', 'http://[fe80::1%25eth0]/'])(
    'refuses the malformed address %s',
    (url) => {
      expect(rejectionOf(() => checkFetchableUrl(url, closed)).code).toBe('invalid-url');
    },
  );

  it.each([
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://127.0.0.1./', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://0xa.0.0.1/', '10.0.0.1'],
    ['http://3232235777/', '192.168.1.1'],
    ['http://0xA9FEA9FE/', '169.254.169.254'],
  ])('sees through the odd IPv4 spelling %s (WHATWG makes it %s)', (url, normal) => {
    expect(new URL(url).hostname).toBe(normal);
    const err = rejectionOf(() => checkFetchableUrl(url, closed));
    expect(err.code).toBe('blocked-address');
    expect(err.message).toContain(`refused to connect to private address ${normal}`);
  });

  it.each([
    'http://[::1]/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[fe80::1]/',
    'http://[fd00::1]:8080/',
    'http://[64:ff9b::a00:1]/',
    'http://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
  ])('refuses the private literal %s', (url) => {
    expect(rejectionOf(() => checkFetchableUrl(url, closed)).code).toBe('blocked-address');
  });

  it('lets private literals through when private networks are allowed', () => {
    expect(checkFetchableUrl('http://127.0.0.1:8080/', { allowPrivateNetworks: true }).port).toBe('8080');
    expect(checkFetchableUrl('http://[::1]/', { allowPrivateNetworks: true }).hostname).toBe('[::1]');
  });

  it('lets exactly the allowed origins through', () => {
    const policy = { allowPrivateNetworks: false, allowedOrigins: ['http://127.0.0.1:4001'] };
    expect(checkFetchableUrl('http://127.0.0.1:4001/feed/', policy).pathname).toBe('/feed/');
    expect(rejectionOf(() => checkFetchableUrl('http://127.0.0.1:4002/feed/', policy)).code).toBe('blocked-address');
    expect(rejectionOf(() => checkFetchableUrl('http://0x7f.1:4002/', policy)).code).toBe('blocked-address');
  });

  it('leaves host names to the connect-time check', () => {
    expect(checkFetchableUrl('http://localhost:4001/', closed).hostname).toBe('localhost');
  });

  it('accepts a URL object and does not alias it', () => {
    const input = new URL('http://example.org/a');
    const out = checkFetchableUrl(input, closed);
    expect(out).not.toBe(input);
    expect(out.href).toBe(input.href);
  });
});
