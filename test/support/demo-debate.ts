// The Social Media Camp debate polled into a fresh test app: the three WordPress fixture blogs
// registered and polled once, and grouped as the demo groups them. Page and browser tests read it.
import defaults from '../../config/default.json' with { type: 'json' };
import { validateConfig } from '../../src/config.ts';
import { startDemoBlogs, type DemoBlogs } from '../../src/demo/blogs.ts';
import { createDemoGroup } from '../../src/demo/group.ts';
import { registerBlog } from '../../src/registry/register-blog.ts';
import { createTestApp, type TestApp } from './app.ts';

export interface DemoDebate {
  t: TestApp;
  demo: DemoBlogs;
  /** The id of the conversation "Idee: ein Social Media Camp". */
  conversationId: number;
  close(): Promise<void>;
}

/**
 * Starts the fixture blogs, registers and polls them, and finds the debate's conversation. The
 * app reads feeds in as many reading threads as the shipped settings give (one app per file), on
 * the clock `options.now` when given.
 */
export async function startDemoDebate(overrides: Record<string, unknown> = {}, options: { now?: () => Date } = {}): Promise<DemoDebate> {
  const shipped = validateConfig(defaults).poller.readerThreads;
  const t = await createTestApp({ ...overrides, poller: { ...defaults.poller, readerThreads: shipped, ...((overrides.poller as object) ?? {}) } }, options);
  const demo = await startDemoBlogs({ freitagCharset: 'windows-1252' });
  for (const blog of demo.blogs) await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, blog.homeUrl);
  await t.poller.pollOnce({ force: true });
  await createDemoGroup({ db: t.database.db, fetch: t.fetcher.fetch }, demo);
  const list = (await t.app.inject('/api/conversations')).json().conversations as { id: number; title: string }[];
  const found = list.find((c) => c.title === 'Idee: ein Social Media Camp');
  if (!found) throw new Error(`demo debate not found among ${JSON.stringify(list.map((c) => c.title))}`);
  return {
    t,
    demo,
    conversationId: found.id,
    close: async () => {
      await demo.close();
      await t.close();
    },
  };
}
