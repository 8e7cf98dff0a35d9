// The registry as an OPML 2.0 subscription list: each blog with its post feed and home page.
// Shared by GET /blogs.opml and `palaver export-opml`, so both write the same document; and a
// group's blogs the same way (GET /g/:slug.opml), so a reader subscribes to an event in one step.
import type { Db } from '../db/open.ts';
import { renderOpml, type OpmlBlog } from '../feeds/opml.ts';
import type { Blog } from '../domain/models.ts';
import { maxGroupMembers, type Group } from '../domain/groups.ts';
import { listBlogs } from '../store/blogs.ts';
import { listGroupMembers } from '../store/groups.ts';
import { listBlogSources } from '../store/sources.ts';

/** Lists every registered blog with the post feed Palaver polls (its home page when none is known). */
export async function listOpmlBlogs(db: Db, only?: Blog[]): Promise<OpmlBlog[]> {
  const blogs = only ?? (await listBlogs(db));
  const sources = await listBlogSources(db, blogs.map((b) => b.id));
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

/** Renders a group's blogs as an OPML 2.0 document titled after the group. */
export async function renderGroupOpml(db: Db, group: Group, options: { now: Date }): Promise<string> {
  // A group holds at most maxGroupMembers blogs: one read takes them all.
  const members = await listGroupMembers(db, group.id, { limit: maxGroupMembers });
  return renderOpml({ title: group.title, dateCreated: options.now, blogs: await listOpmlBlogs(db, members) });
}
