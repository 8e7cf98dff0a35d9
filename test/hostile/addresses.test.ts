// Addresses the guard must refuse, met three ways: a registered blog's feed redirects there
// (poller), a person pastes such an address or a host name resolving there (discovery), and
// all of it passes once private networks are allowed in the settings. DNS is played by the
// fetcher's lookup hook, so no packet leaves loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateTargets, startFaultServer, type FaultServer } from './fault-server.ts';
import { expectPlainWords } from './expect.ts';
import { createWorld, hostileHosts, type World } from './world.ts';

let faults: FaultServer;
beforeAll(async () => {
  faults = await startFaultServer({ maxBodyBytes: 5 * 1024 * 1024 });
});
afterAll(async () => {
  await faults.close();
});

const refusal = (name: string): RegExp =>
  name.endsWith('-scheme')
    ? /only http and https addresses can be fetched/
    : name === 'userinfo'
      ? /user name or password/
      : /refused to connect to private address [0-9a-f.:]+ \((loopback, this machine|unspecified address|link-local|private network|private network \(unique local\)|carrier-grade NAT)\)/;

describe('addresses', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld(faults);
  });
  afterAll(async () => {
    await world.close();
  });

  describe.each(Object.keys(privateTargets))('redirect to %s', (target) => {
    it('poller: the feed’s redirect is refused, the blog says why and keeps its entries', async () => {
      const name = `a-${target}`;
      const { id } = await world.registerGoodBlog(name);
      faults.setFeed(name, `redirect-to:${target}`);
      const before = faults.hits.length;
      const summary = await world.pollAll();
      expect(summary.crashed).toBe(0);
      const blog = await world.blog(id);
      expect(blog.status).toBe('failing');
      expectPlainWords(blog.lastError, refusal(target));
      expect(blog.lastError).toContain('redirects to');
      expect(blog.entryCount).toBe(3);
      // Of this blog only the redirecting feed was asked; the targets (ports 9 and 80, other
      // addresses) are not the fault server, and the refusal comes before any connection.
      expect(faults.hits.slice(before).filter((h) => h.path.startsWith(`/blog/${name}/`)).map((h) => h.path)).toEqual([`/blog/${name}/feed`]);
      await world.expectHealthy();
    });

    it('discovery: the pasted address is refused with the reason', async () => {
      const res = await world.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: privateTargets[target] } });
      expect([400, 422]).toContain(res.statusCode);
      const message = res.json<{ error: { message: string } }>().error.message;
      expectPlainWords(
        message,
        target.endsWith('-scheme') ? /Only http and https addresses can be registered/ : target === 'userinfo' ? /user name or password/ : refusal(target),
      );
    });

    it('discovery: a page redirecting there is refused with the reason', async () => {
      const res = await world.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${faults.origin}/redirect-to/${target}` } });
      expect(res.statusCode).toBe(422);
      expectPlainWords(res.json<{ error: { message: string } }>().error.message, refusal(target));
    });
  });

  describe.each(Object.entries(hostileHosts))('host name %s → %s', (host) => {
    it('discovery: refused at connect time, after DNS, naming the address', async () => {
      const res = await world.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `http://${host}:${new URL(faults.origin).port}/blog/x/` } });
      expect(res.statusCode).toBe(422);
      const message = res.json<{ error: { message: string } }>().error.message;
      expectPlainWords(message, /refused to connect to private address .+: .+ resolves there/);
      expect(message).toContain(host);
    });

    it('poller: a feed redirecting to the name is refused', async () => {
      const name = `h-${host.split('.')[0]}`;
      const { id } = await world.registerGoodBlog(name);
      // A redirect to the host name: the guard must resolve and refuse on this hop too.
      faults.setFeed(name, 'good');
      await world.database.db
        .updateTable('sources')
        .set({ url: `http://${host}:${new URL(faults.origin).port}/blog/${name}/feed` })
        .where('blog_id', '=', id)
        .where('kind', '=', 'feed')
        .execute();
      await world.pollAll();
      const blog = await world.blog(id);
      expect(blog.status).toBe('failing');
      expectPlainWords(blog.lastError, /refused to connect to private address/);
      expect(blog.entryCount).toBe(3);
    });
  });

  describe('with private networks allowed', () => {
    let open: World;
    beforeAll(async () => {
      open = await createWorld(faults, { allowPrivateNetworks: true });
    });
    afterAll(async () => {
      await open.close();
    });

    // Only names and forms that lead back to this machine's loopback: anything else would leave it.
    it.each([
      ['a host name resolving to 127.0.0.1', (port: string) => `http://loopback.hostile.test:${port}/blog/open-a/`],
      ['a host name resolving to ::ffff:127.0.0.1', (port: string) => `http://mapped.hostile.test:${port}/blog/open-b/`],
      ['127.1', (port: string) => `http://127.1:${port}/blog/open-c/`],
      ['0x7f.1', (port: string) => `http://0x7f.1:${port}/blog/open-d/`],
      ['2130706433', (port: string) => `http://2130706433:${port}/blog/open-e/`],
    ])('registers a blog at %s', async (_label, url) => {
      const res = await open.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: url(new URL(faults.origin).port) } });
      expect(res.statusCode, res.body).toBe(201);
    });

    it('still refuses non-http schemes and user:pass@', async () => {
      for (const url of [privateTargets['file-scheme']!, privateTargets['gopher-scheme']!, privateTargets.userinfo!]) {
        const res = await open.app.inject({ method: 'POST', url: '/api/blogs', payload: { url } });
        expect(res.statusCode).toBe(400);
      }
    });
  });
});
