// The registry as an OPML 2.0 subscription list: each blog with its post feed and home page.
// Shared by GET /blogs.opml and `palaver export-opml`, so both write the same document.
import type { Db } from '../db/open.ts';
import { renderOpml, type OpmlBlog } from '../feeds/opml.ts';
import { listBlogs } from '../store/blogs.ts';
import { listSourcesByBlogs } from '../store/sources.ts';

/** Lists every registered blog with the post feed Palaver polls (its home page when none is known). */
export async function listOpmlBlogs(db: Db): Promise<OpmlBlog[]> {
  const blogs = await listBlogs(db);
  const sources = await listSourcesByBlogs(db, blogs.map((b) => b.id));
  const feedOf = new Map<number, string>();
  for (const s of sources) if (s.kind === 'feed' && !feedOf.has(s.blogId)) feedOf.set(s.blogId, s.url);
  return blogs.map((b) => ({
    title: b.title?.trim() || b.homeUrl,
    htmlUrl: b.homeUrl,
    xmlUrl: feedOf.get(b.id) ?? b.homeUrl,
    description: b.description,
  }));
}

/** Renders the registry as an OPML 2.0 document. */
export async function renderRegistryOpml(db: Db, options: { now: Date }): Promise<string> {
  return renderOpml({
    title: 'Blogs followed by Palaver',
    dateCreated: options.now,
    blogs: await listOpmlBlogs(db),
  });
}
