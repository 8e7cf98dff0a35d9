// The search gate: one client's searches a minute, counted over / and every group page, 429
// with Retry-After past the limit; the rest of the site and other clients unaffected.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import defaults from '../../config/default.json' with { type: 'json' };
import { insertGroup } from '../../src/store/groups.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let clock: Date;

beforeEach(async () => {
  clock = new Date('2026-03-01T12:00:00Z');
  t = await createTestApp({ pages: { ...defaults.pages, searchesPerClientPerMinute: 3 } }, { now: () => clock });
  await insertGroup(t.database.db, { slug: 'camp', title: 'Camp', description: null, lang: null, event: null }, clock.toISOString());
});
afterEach(async () => {
  await t.close();
});

const get = (url: string, remoteAddress = '198.51.100.7') => t.app.inject({ method: 'GET', url, remoteAddress });

describe('searches per client', () => {
  it('counts one client over / and group pages, answers 429 with Retry-After past the limit, and lets it search again a minute later', async () => {
    expect((await get('/?q=Debatte')).statusCode).toBe(200);
    expect((await get('/g/camp?q=Debatte')).statusCode).toBe(200);
    expect((await get('/?q=Camp')).statusCode).toBe(200);
    const refused = await get('/g/camp?q=Camp');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toContain('Too many searches from your address');
    // Pages without a search, and other clients, are not counted against it.
    expect((await get('/')).statusCode).toBe(200);
    expect((await get('/g/camp')).statusCode).toBe(200);
    expect((await get('/?q=Camp', '203.0.113.9')).statusCode).toBe(200);
    clock = new Date(clock.getTime() + 61_000);
    expect((await get('/?q=Camp')).statusCode).toBe(200);
  });
});

describe('searches behind a reverse proxy', () => {
  it('count the reader a trusted proxy names in X-Forwarded-For, and ignore that header from anyone else', async () => {
    const proxied = await createTestApp({ pages: { ...defaults.pages, searchesPerClientPerMinute: 2 }, server: { ...defaults.server, trustedProxies: ['10.0.0.0/8'] } }, { now: () => clock });
    try {
      const via = (from: string, reader: string) => proxied.app.inject({ method: 'GET', url: '/?q=Camp', remoteAddress: from, headers: { 'x-forwarded-for': reader } });
      expect((await via('10.0.0.5', '198.51.100.1')).statusCode).toBe(200);
      expect((await via('10.0.0.5', '198.51.100.1')).statusCode).toBe(200);
      expect((await via('10.0.0.5', '198.51.100.1')).statusCode).toBe(429);
      // Another reader behind the same proxy has searches of its own.
      expect((await via('10.0.0.5', '198.51.100.2')).statusCode).toBe(200);
      // A client that is not a trusted proxy cannot name another address to dodge its limit.
      expect((await via('192.0.2.9', '198.51.100.3')).statusCode).toBe(200);
      expect((await via('192.0.2.9', '198.51.100.4')).statusCode).toBe(200);
      expect((await via('192.0.2.9', '198.51.100.5')).statusCode).toBe(429);
    } finally {
      await proxied.close();
    }
  });
});
