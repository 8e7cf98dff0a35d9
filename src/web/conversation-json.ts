// The JSON shape of conversations and their entries in the API (DESIGN.md, "Interfaces").

/** Shapes a conversation for the API; its URL is absolute under PUBLIC_URL. */
export function conversationJson(c: Conversation, publicUrl: string) {
  return {
    id: c.id,
    title: c.title,
    url: `${publicUrl}/c/${c.id}`,
    entryCount: c.entryCount,
    postCount: c.postCount,
    commentCount: c.commentCount,
    linkbackCount: c.linkbackCount,
    blogCount: c.blogCount,
    authorCount: c.authorCount,
    missingCount: c.missingCount,
    firstActivityAt: c.firstActivityAt,
    lastActivityAt: c.lastActivityAt,
  };
}

/** Shapes one entry of a conversation for the API. */
export function conversationEntryJson(e: ConversationEntry) {
  return {
    id: e.id,
    kind: e.kind,
    url: e.url,
    title: e.title,
    author: { name: e.authorName, url: e.authorUrl },
    blog: e.blog ? { id: e.blog.id, title: e.blog.title, url: e.blog.homeUrl } : null,
    publishedAt: e.sortAt,
    inReplyTo: e.inReplyToId,
    via: e.via,
    contentHtml: e.contentHtml,
    tombstone: e.tombstonedAt !== null,
  };
}import type { Conversation, ConversationEntry } from '../domain/models.ts';

