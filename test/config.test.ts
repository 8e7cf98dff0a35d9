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
