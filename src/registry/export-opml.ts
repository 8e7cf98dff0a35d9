// The registry as an OPML 2.0 subscription list: each blog with its post feed and home page.
// Shared by GET /blogs.opml and `palaver export-opml`, so both write the same document; and a
// group's blogs the same way (GET /g/:slug.opml), so a reader subscribes to an event in one step.
import type { Db } from '../db/open.ts';
import { nextTurn } from '../event-loop-turns.ts';
import { renderOpml, renderOpmlParts, type OpmlBlog } from '../feeds/opml.ts';
import type { Blog } from '../domain/models.ts';
import { maxGroupMembers, type Group } from '../domain/groups.ts';
import { listBlogs } from '../store/blogs.ts';
import { listGroupMembers } from '../store/groups.ts';
import { listBlogSources } from '../store/sources.ts';

const registryTitle = 'Blogs followed by Palaver';

/** These blogs as outlines, each with the post feed Palaver polls (its home page when none is known). */
async function opmlBlogsOf(db: Db, blogs: Blog[]): Promise<OpmlBlog[]> {
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

/**
 * Blogs read and written at a time, each page in a turn of its own of the event loop. With
 * 40,000 blogs a page of 500 held the loop 19–72 ms at most, one of 1,000 71–119 ms.
 */
export const registryOpmlPageSize = 500;

async function* registryPages(db: Db, pageSize: number): AsyncGenerator<OpmlBlog[]> {
  let afterId: number | undefined;
  for (;;) {
    const blogs = await listBlogs(db, { ...(afterId === undefined ? {} : { afterId }), limit: pageSize });
    if (blogs.length === 0) return;
    yield await opmlBlogsOf(db, blogs);
    if (blogs.length < pageSize) return;
    afterId = blogs[blogs.length - 1]!.id;
    // 30,000 blogs written in one go held the event loop 1.8–2.1 s.
    await nextTurn();
  }
}

/**
 * The registry as an OPML 2.0 document, in parts of `pageSize` blogs (registryOpmlPageSize),
 * pages, feeds and pings answered between them (GET /blogs.opml sends them as they come).
 */
export function registryOpmlParts(db: Db, options: { now: Date; pageSize?: number }): AsyncGenerator<string> {
  return renderOpmlParts({ title: registryTitle, dateCreated: options.now }, registryPages(db, options.pageSize ?? registryOpmlPageSize));
}

/** Renders the registry as an OPML 2.0 document. */
export async function renderRegistryOpml(db: Db, options: { now: Date; pageSize?: number }): Promise<string> {
  let text = '';
  for await (const part of registryOpmlParts(db, options)) text += part;
  return text;
}

/** Renders a group's blogs as an OPML 2.0 document titled after the group. */
export async function renderGroupOpml(db: Db, group: Group, options: { now: Date }): Promise<string> {
  // A group holds at most maxGroupMembers blogs: one read takes them all.
  const members = await listGroupMembers(db, group.id, { limit: maxGroupMembers });
  return renderOpml({ title: group.title, dateCreated: options.now, blogs: await opmlBlogsOf(db, members) });
}
