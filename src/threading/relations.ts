// Decides what an arriving entry is (post, comment, or a ping shown as a comment) and which
// edges it has, from the entry alone and where it came from. Pure: the store resolves targets.
import { edgeTargetKey, type EdgeTarget, type RelationDraft } from '../domain/edges.ts';
import type { EntryDraft } from '../domain/models.ts';
import type { Channel, CommentPingKind, EdgeType, EntryKind } from '../domain/vocabulary.ts';
import { bodyBaseOf, type BodyReading } from '../reader/entry-draft.ts';
import { readSanitizedBody } from '../reader/links.ts';
import type { InReplyTo } from '../reader/types.ts';
import { urlKey } from '../domain/url-key.ts';

export interface EntryRelations {
  /** The kind after recognising pings that blogs show as comments. */
  kind: EntryKind;
  /** For a ping: the url key of the page that sent it (the node it merges with). */
  sourceKey: string | null;
  sourceUrl: string | null;
  relations: RelationDraft[];
  /** More threadable body links than a reply makes: the links never bridge conversations. */
  isRoundup: boolean;
  /** The search text of the body (`html`), read in the same pass as its links; absent when they were not read. */
  bodyText?: { html: string; text: string };
}

/** Where an entry arrived from, as far as threading cares. */
export interface ArrivalContext {
  via: Channel;
  /** The post whose own comment feed carried this entry, when known. */
  post: { guid: string | null; url: string | null } | null;
  inReplyTo: InReplyTo[];
}

/**
 * A body that links to more distinct entries than this is a roundup (a link blog, a weekly
 * digest, a blogroll pasted into every post). Its links still show as "links to", but never
 * glue two conversations together: it joins the first conversation one of its links resolves
 * into and bridges nothing after that.
 */
export const roundupLinkThreshold = 4;

// WordPress: pingback comments read "[…] excerpt […]" (the ellipsis as … or &#8230; or ...).
const pingbackContent = /^\s*(?:<p>)?\s*\[(?:…|&#8230;|&hellip;|\.\.\.)\]/i;
// WordPress: trackback comments are "<strong>title</strong>" then the excerpt.
const trackbackContent = /^\s*(?:<p>)?\s*<strong>[^<]*<\/strong>/i;

function target(url: string | null): EdgeTarget | null {
  const key = urlKey(url);
  return key ? { kind: 'url', key } : null;
}

function ref(guid: string): EdgeTarget {
  return { kind: 'ref', guid };
}

function withoutFragment(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    u.hash = '';
    return u.href;
  } catch {
    return null;
  }
}

// A comment's permalink without its anchor and, with WordPress's page_comments on, without the
// comment page it sits on (get_comment_link: <permalink>comment-page-2/#comment-N): its post.
function postUrlOfComment(url: string | null): string | null {
  const bare = withoutFragment(url);
  return bare ? bare.replace(/\/comment-page-\d{1,6}\/?$/, '/') : null;
}

/** Recognises a WordPress pingback or trackback shown as a comment: kind and the pinging page. */
export function recognisePingComment(draft: Pick<EntryDraft, 'contentHtml' | 'authorUrl' | 'url'>): { kind: CommentPingKind; sourceUrl: string } | null {
  const html = draft.contentHtml ?? '';
  const source = draft.authorUrl;
  // Without the pinging page's URL there is nothing to merge with: keep it a comment.
  if (!source || urlKey(source) === null) return null;
  // A ping's author URL is another page, never the comment's own post.
  if (urlKey(source) === urlKey(withoutFragment(draft.url))) return null;
  if (pingbackContent.test(html)) return { kind: 'pingback', sourceUrl: source };
  if (trackbackContent.test(html)) return { kind: 'trackback', sourceUrl: source };
  return null;
}

/**
 * Works out an entry's kind, edges and ping source from its draft and arrival. `body`: the
 * draft's content already read by readSanitizedBody against bodyBaseOf(draft) (a reading
 * thread's draftAndReadBody); otherwise it is read here.
 */
export function relationsOf(draft: EntryDraft, context: ArrivalContext, body?: BodyReading | null): EntryRelations {
  const relations: RelationDraft[] = [];
  const seen = new Set<string>();
  const add = (type: EdgeType, t: EdgeTarget | null, toUrl: string | null) => {
    if (!t || seen.has(`${type} ${edgeTargetKey(t)}`)) return;
    seen.add(`${type} ${edgeTargetKey(t)}`);
    relations.push({ type, target: t, toUrl });
  };

  let kind: EntryKind = draft.kind;
  let sourceUrl: string | null = null;
  const ownKey = draft.urlKey;

  if (draft.kind === 'comment') {
    const ping = recognisePingComment(draft);
    if (ping) {
      kind = ping.kind;
      sourceUrl = ping.sourceUrl;
    }
    // The post a comment belongs to: its own comment feed's post, else its permalink without
    // the comment anchor (WordPress, Movable Type: <permalink>#comment-N).
    const postUrl = context.post?.url ?? postUrlOfComment(draft.url);
    if (context.post?.guid) add('comment-of', ref(context.post.guid), context.post.url);
    else add('comment-of', target(postUrl), postUrl);
    const postKey = urlKey(postUrl);
    for (const parent of context.inReplyTo) {
      const isPost =
        (parent.ref !== null && parent.ref === context.post?.guid) || (parent.href !== null && urlKey(parent.href) === postKey);
      if (isPost) continue;
      if (parent.ref) add('reply-to', ref(parent.ref), parent.href);
      else add('reply-to', target(parent.href), parent.href);
    }
  } else if (draft.kind === 'post') {
    // A post in a post feed has no parent; an Atom thr:in-reply-to on a post is a reply.
    for (const parent of context.inReplyTo) {
      if (parent.ref) add('reply-to', ref(parent.ref), parent.href);
      else add('reply-to', target(parent.href), parent.href);
    }
  }

  if (sourceUrl) add('same-as', target(sourceUrl), sourceUrl);

  // A ping's content is an excerpt of the pinging page, not something it said itself.
  let linkCount = 0;
  let bodyText: EntryRelations['bodyText'];
  if (draft.contentHtml && kind !== 'pingback' && kind !== 'trackback') {
    const read = body ?? readSanitizedBody(draft.contentHtml, bodyBaseOf(draft));
    bodyText = { html: draft.contentHtml, text: read.text };
    const pageKey = read.links.length ? urlKey(withoutFragment(draft.url)) : null;
    for (const link of read.links) {
      if (link.key === ownKey || link.key === pageKey) continue;
      linkCount += 1;
      add('links-to', { kind: 'url', key: link.key }, link.url);
    }
  }

  return {
    kind,
    sourceKey: urlKey(sourceUrl),
    sourceUrl,
    relations,
    isRoundup: linkCount > roundupLinkThreshold,
    ...(bodyText ? { bodyText } : {}),
  };
}

/**
 * Builds the edges of a ping received or listed: the pinging page answers the target, named by
 * its entry when Palaver knows it (a ping to a Palaver page), else by its URL.
 */
export function linkbackRelations(targetUrl: string, targetEntryId: number | null = null): RelationDraft[] {
  if (targetEntryId !== null) return [{ type: 'linkback', target: { kind: 'entry', id: targetEntryId }, toUrl: targetUrl }];
  const t = target(targetUrl);
  return t ? [{ type: 'linkback', target: t, toUrl: targetUrl }] : [];
}
