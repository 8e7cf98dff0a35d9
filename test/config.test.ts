import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

function writeConfig(value: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-config-'));
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

describe('loadConfig', () => {
  it('loads config/default.json with the documented defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config.port).toBe(3000);
    expect(config.databasePath).toBe('data/palaver.db');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.publicUrlExplicit).toBe(false);
    expect(config.fetcher.allowPrivateNetworks).toBe(false);
    expect(config.fetcher.maxRedirects).toBe(5);
    expect(config.userAgent).toMatch(/^Palaver\//);
  });

  it('applies environment overrides', () => {
    const config = loadConfig({
      env: {
        PORT: '8080',
        HOST: '0.0.0.0',
        DATABASE_PATH: '/tmp/x.db',
        PUBLIC_URL: 'https://palaver.example.org/',
        POLL_INTERVAL_SECONDS: '600',
        FETCHER_ALLOW_PRIVATE_NETWORKS: 'true',
        LOG_LEVEL: 'warn',
      },
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databasePath: '/tmp/x.db',
      publicUrl: 'https://palaver.example.org',
      publicUrlExplicit: true,
      pollIntervalSeconds: 600,
      logLevel: 'warn',
    });
    expect(config.fetcher.allowPrivateNetworks).toBe(true);
  });

  it('derives the public URL from the port when PUBLIC_URL is unset', () => {
    expect(loadConfig({ env: { PORT: '4123' } }).publicUrl).toBe('http://localhost:4123');
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /port/],
    [{ POLL_INTERVAL_SECONDS: '0' }, /pollIntervalSeconds/],
    [{ FETCHER_ALLOW_PRIVATE_NETWORKS: 'maybe' }, /FETCHER_ALLOW_PRIVATE_NETWORKS/],
    [{ LOG_LEVEL: 'loud' }, /logLevel/],
    [{ PUBLIC_URL: 'ftp://example.org' }, /publicUrl/],
  ])('rejects %o naming the key', (env, key) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(key);
  });

  it('names a bad nested key in the file', () => {
    const base = JSON.parse(fs.readFileSync(path.resolve('config/default.json'), 'utf8'));
    const file = writeConfig({ ...base, fetcher: { ...base.fetcher, timeoutMs: -5 } });
    expect(() => loadConfig({ file, env: {} })).toThrow(/fetcher\.timeoutMs/);
  });

  it('takes the claim lease of pollers from poller.claimLeaseSeconds (600 by default), a minute at least', () => {
    expect(loadConfig({ env: {} }).poller.claimLeaseSeconds).toBe(600);
    expect(loadConfig({ file: writeConfig({ poller: { claimLeaseSeconds: 120 } }), env: {} }).poller.claimLeaseSeconds).toBe(120);
    for (const bad of [10, 0, 1.5, 100_000, '600']) {
      expect(() => loadConfig({ file: writeConfig({ poller: { claimLeaseSeconds: bad } }), env: {} })).toThrow(/poller\.claimLeaseSeconds/);
    }
  });

  it('takes the reading threads of the poller from poller.readerThreads: one less than the cores, at most 4, and 0 for none', () => {
    expect(loadConfig({ env: {} }).poller.readerThreads).toBe(Math.min(4, Math.max(0, os.availableParallelism() - 1)));
    expect(loadConfig({ file: writeConfig({ poller: { readerThreads: 0 } }), env: {} }).poller.readerThreads).toBe(0);
    expect(loadConfig({ file: writeConfig({ poller: { readerThreads: 3 } }), env: {} }).poller.readerThreads).toBe(3);
    for (const bad of [-1, 17, 1.5, 'two']) {
      expect(() => loadConfig({ file: writeConfig({ poller: { readerThreads: bad } }), env: {} })).toThrow(/poller\.readerThreads/);
    }
  });

  it('names an unknown key', () => {
    const base = JSON.parse(fs.readFileSync(path.resolve('config/default.json'), 'utf8'));
    const file = writeConfig({ ...base, pollIntervalMinutes: 5 });
    expect(() => loadConfig({ file, env: {} })).toThrow(/pollIntervalMinutes/);
  });

  it('reports a file that is not JSON', () => {
    const file = writeConfig('{ "port": 3000,');
    expect(() => loadConfig({ file, env: {} })).toThrow(/not valid JSON/);
  });
});

describe('log format and time zone settings', () => {
  it('reads LOG_FORMAT and the timeZone key, and names a bad value', () => {
    expect(loadConfig({ env: {} })).toMatchObject({ logFormat: 'auto', timeZone: null });
    expect(loadConfig({ env: { LOG_FORMAT: 'json' } }).logFormat).toBe('json');
    expect(() => loadConfig({ env: { LOG_FORMAT: 'fancy' } })).toThrow(/logFormat.*\(from LOG_FORMAT\)/);
    expect(loadConfig({ env: {}, overrides: { timeZone: 'Europe/Berlin' } }).timeZone).toBe('Europe/Berlin');
    expect(() => loadConfig({ env: {}, overrides: { timeZone: 'Mars/Olympus_Mons' } })).toThrow(/timeZone: must be an IANA time zone/);
  });
});

function messageOf(work: () => unknown): string {
  try {
    work();
  } catch (err) {
    return (err as Error).message;
  }
  return '(no error)';
}

describe('PALAVER_CONFIG', () => {
  it('merges a file that names only what it changes over config/default.json', () => {
    const file = writeConfig({ fetcher: { perHostConcurrency: 8 } });
    const config = loadConfig({ env: { PALAVER_CONFIG: file } });
    expect(config.fetcher).toMatchObject({ perHostConcurrency: 8, timeoutMs: 20000, maxRedirects: 5, allowPrivateNetworks: false });
    expect(config).toMatchObject({ port: 3000, databasePath: 'data/palaver.db', pollIntervalSeconds: 1800 });
    expect(config.pings.moderation).toBe('moderate');
  });

  it('merges objects deeply, lets arrays and values replace, and applies the environment last', () => {
    const file = writeConfig({ pings: { moderation: 'open' }, fetcher: { allowedOrigins: ['http://lan.example:8080'] }, websub: { hubUrl: 'https://hub.example/' } });
    const config = loadConfig({ env: { PALAVER_CONFIG: file, PORT: '8081' } });
    expect(config.pings).toMatchObject({ moderation: 'open', queueCapacity: 1000, pingbackDeadlineMs: 5000 });
    expect(config.fetcher.allowedOrigins).toEqual(['http://lan.example:8080']);
    expect(config.websub).toMatchObject({ hubUrl: 'https://hub.example', leaseSeconds: 864000 });
    expect(config.port).toBe(8081);
  });

  it('names the file and the key of a bad value in it', () => {
    const file = writeConfig({ fetcher: { perHostConcurrency: 0 } });
    expect(() => loadConfig({ env: { PALAVER_CONFIG: file } })).toThrow(ConfigError);
    const message = messageOf(() => loadConfig({ env: { PALAVER_CONFIG: file } }));
    expect(message.startsWith('config: fetcher.perHostConcurrency: ')).toBe(true);
    expect(message.endsWith(` (in ${file})`)).toBe(true);
  });

  it('names every bad key at once, each with where it was set', () => {
    const file = writeConfig({ poller: { concurency: 4, tickSeconds: 'often' }, feeds: 5, websub: { maxLeaseSeconds: 60 } });
    const lines = messageOf(() => loadConfig({ env: { PALAVER_CONFIG: file, POLL_INTERVAL_SECONDS: '0' } })).split('\n');
    const line = (start: string) => lines.find((l) => l.startsWith(start)) ?? `(no line starting ${start})`;
    expect(lines).toHaveLength(5);
    expect(line('config: pollIntervalSeconds: ')).toMatch(/ \(from POLL_INTERVAL_SECONDS\)$/);
    expect(line('config: unknown key poller.concurency')).toBe(`config: unknown key poller.concurency (in ${file})`);
    expect(line('config: poller.tickSeconds: ').endsWith(` (in ${file})`)).toBe(true);
    expect(line('config: feeds: ').endsWith(` (in ${file})`)).toBe(true);
    // A rule across two keys breaks where the object was changed, not in the defaults.
    expect(line('config: websub.leaseSeconds: ').endsWith(` (in ${file})`)).toBe(true);
  });

  it('names the file when it cannot be read or is not a JSON object', () => {
    expect(() => loadConfig({ env: { PALAVER_CONFIG: '/nonexistent/site.json' } })).toThrow(/^config: cannot read \/nonexistent\/site\.json: /);
    const list = writeConfig([1, 2]);
    expect(() => loadConfig({ env: { PALAVER_CONFIG: list } })).toThrow(`config: ${list} must hold a JSON object`);
  });
});

describe('server.trustedProxies', () => {
  it('refuses a trusted proxy that is not an address or a range, naming the key', () => {
    expect(() => loadConfig({ env: {}, overrides: { server: { trustedProxies: ['proxy.internal'] } } })).toThrow(/server\.trustedProxies: invalid IP address: proxy\.internal/);
    expect(loadConfig({ env: {}, overrides: { server: { trustedProxies: ['loopback', '10.0.0.0/8', '2001:db8::1'] } } }).server.trustedProxies).toHaveLength(3);
  });
});

describe('registry.moderation', () => {
  it('is open when Palaver listens on loopback only, moderate otherwise, unless set', () => {
    expect(loadConfig({ env: {} }).registry.moderation).toBe('open');
    expect(loadConfig({ env: { HOST: '127.0.0.1' } }).registry.moderation).toBe('open');
    expect(loadConfig({ env: { HOST: '::1' } }).registry.moderation).toBe('open');
    expect(loadConfig({ env: { HOST: '0.0.0.0' } }).registry.moderation).toBe('moderate');
    expect(loadConfig({ env: { HOST: '192.0.2.10' } }).registry.moderation).toBe('moderate');
    expect(loadConfig({ env: { HOST: '0.0.0.0' }, overrides: { registry: { moderation: 'open' } } }).registry.moderation).toBe('open');
    expect(loadConfig({ env: {}, overrides: { registry: { moderation: 'closed' } } }).registry.moderation).toBe('closed');
  });

  it('is moderate behind a reverse proxy: a public PUBLIC_URL or a trusted proxy, though Palaver listens on loopback', () => {
    expect(loadConfig({ env: { PUBLIC_URL: 'http://localhost:3000' } }).registry.moderation).toBe('open');
    expect(loadConfig({ env: { PUBLIC_URL: 'https://palaver.example' } }).registry.moderation).toBe('moderate');
    expect(loadConfig({ env: {}, overrides: { server: { trustedProxies: ['loopback'] } } }).registry.moderation).toBe('moderate');
    expect(loadConfig({ env: { PUBLIC_URL: 'https://palaver.example' }, overrides: { registry: { moderation: 'open' } } }).registry.moderation).toBe('open');
  });
});
