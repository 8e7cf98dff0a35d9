// One way of naming an entry on every page, as the merged feeds title their items: a post by
// its title, a comment as "Martin on 'Idee: ein Social Media Camp'" (the post it is on), a
// ping as "planetsab linked to '…'". Titles blogs give their comments ("Von: Martin",
// "Comment on X by Y") are never shown: they repeat the author and say nothing else.
import type { EntryKind } from '../domain/vocabulary.ts';
import { displayUrl } from './format.ts';
import type { Messages } from './i18n.ts';

export interface NameableEntry {
  id: number;
  kind: EntryKind | string;
  title: string | null;
  authorName: string | null;
  excerpt?: string | null;
  url?: string | null;
  blog: { title: string | null; homeUrl: string } | null;
}

/** What an entry is about: the post a comment is on, the entry a ping links to. */
export interface AboutEntry {
  kind: EntryKind | string;
  title: string | null;
  authorName: string | null;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

/** Names a blog for link texts: its title, else its address. */
export function blogName(blog: { title: string | null; homeUrl: string }): string {
  return blog.title?.trim() || displayUrl(blog.homeUrl);
}

/** Names an entry in one line, as the feeds title it (in the page's language). */
export function nameEntry(e: NameableEntry, about: AboutEntry | null | undefined, t: Messages): string {
  if (e.kind === 'post') return e.title?.trim() || (e.excerpt ? clip(e.excerpt, 80) : t.untitled);
  const aboutTitle = about?.kind === 'post' ? about.title?.trim() : null;
  if (e.kind === 'comment') {
    const who = e.authorName?.trim() || t.someoneCapital;
    if (aboutTitle) return t.commentOn(who, clip(aboutTitle, 120));
    if (about?.kind === 'comment') return t.commentOnComment(who, about.authorName?.trim() || t.someone);
    return t.commentBy(who);
  }
  const who = e.authorName?.trim() || e.blog?.title?.trim() || hostOf(e.url) || t.someoneCapital;
  if (aboutTitle) return t.linkedTo(who, clip(aboutTitle, 120));
  return who;
}

/**
 * Finds what an entry of a conversation is about from the reply chain in memory: for a comment
 * the post above it (a threaded reply's parent is a comment), else its parent. Survives cycles.
 */
export function findAbout<E extends { id: number; kind: string; inReplyToId: number | null }>(e: E, byId: Map<number, E>): E | null {
  const parent = e.inReplyToId === null ? undefined : byId.get(e.inReplyToId);
  if (!parent || e.kind !== 'comment') return parent ?? null;
  const seen = new Set<number>([e.id]);
  let cur: E | undefined = parent;
  while (cur && cur.kind !== 'post' && !seen.has(cur.id)) {
    seen.add(cur.id);
    cur = cur.inReplyToId === null ? undefined : byId.get(cur.inReplyToId);
  }
  return cur && cur.kind === 'post' ? cur : parent;
}
