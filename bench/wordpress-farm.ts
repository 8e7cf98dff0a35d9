// The peer comparison's feed set: N WordPress-6-style RSS 2.0 post feeds of 20 items each (about
// 30 KB: content:encoded, wfw:commentRss, slash:comments, German text), all on one loopback host
// as a WordPress multisite with sub-directories serves them (/blogN/feed/), with WordPress's
// validators (Last-Modified, ETag, 304). Each post's comment feed answers 404. Counts answers.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WordPressFarm {
  /** The post feeds, one per blog. */
  feedUrls: string[];
  /** The comment feeds the posts name (wfw:commentRss), 20 per blog. */
  commentFeedUrls: string[];
  /** Mean size of a post feed in bytes. */
  meanFeedBytes: number;
  /** Answers so far, by what was asked and how it was answered. */
  counts(): { feeds200: number; feeds304: number; comments404: number; other: number };
  close(): Promise<void>;
}

const itemsPerFeed = 20;
const day = 86_400_000;

// Sentences of the kind a German blog debate is written in, picked per item so no two bodies match.
const sentences = [
  'Die Diskussion über das Barcamp hat in den letzten Tagen erstaunlich viele Blogs erreicht.',
  'Ich halte die Idee für richtig, aber die Umsetzung braucht mehr als einen Wochenendtermin.',
  'Wer sich für soziale Medien interessiert, sollte nicht nur über Reichweite sprechen.',
  'Gerade kleinere Verlage könnten von einem offenen Austausch profitieren, glaubt ihr nicht?',
  'Mir fällt auf, dass die Kommentare unter den Beiträgen oft klüger sind als die Beiträge selbst.',
  'Über Geld spricht man ungern – dabei ist die Finanzierung die eigentlich spannende Frage.',
  'Zugegeben: Ich war skeptisch, als der Vorschlag zum ersten Mal in meinem Feedreader auftauchte.',
  'Die Teilnehmerliste wächst, und mit ihr die Zahl der Meinungen über Ort, Zeit und Eintritt.',
  'Man muss nicht jeden Trend mitmachen, um über Öffentlichkeit im Netz nachzudenken.',
  'Größere Konferenzen zeigen, dass Struktur und Spontaneität sich nicht ausschließen müssen.',
  'Für mich bleibt die Frage, wer am Ende die Verantwortung für die Organisation übernimmt.',
  'Schön wäre ein Treffen, bei dem die Vorträge erst am Morgen an der Wand entstehen.',
  'Dass Blogger einander verlinken, ist keine Höflichkeit, sondern die Grundlage jeder Debatte.',
  'Übrigens: Die Straßenbahn fährt bis spät in die Nacht, Anreise ist also kein Argument.',
];

// Blogs answer each other in circles of ten, as a blog carnival or a topic week would.
function peerOf(blog: number): number {
  return Math.floor(blog / 10) * 10 + ((blog + 1) % 10);
}

function sentence(n: number): string {
  return sentences[n % sentences.length]!;
}

function rssDate(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Post {
  id: number;
  slug: string;
  title: string;
  date: number;
  permalink: string;
}

/** Builds the feeds' data and text once; a run serves them from memory. */
function buildBlogs(origin: string, count: number, now: number): { posts: Post[][]; feeds: string[] } {
  const posts: Post[][] = [];
  for (let b = 0; b < count; b++) {
    const blogPosts: Post[] = [];
    for (let i = 0; i < itemsPerFeed; i++) {
      // Newest first, a post every 19 hours; all within the last three weeks, so every comment feed is still followed.
      const date = now - (i * 19 + (b % 7)) * 3_600_000;
      const d = new Date(date);
      const slug = `teil-${itemsPerFeed - i}`;
      blogPosts.push({
        id: 1000 + b * 100 + i,
        slug,
        title: `Barcamp-Debatte, Teil ${itemsPerFeed - i}: „Öffentlichkeit“`,
        date,
        permalink: `${origin}/blog${b}/${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${slug}/`,
      });
    }
    posts.push(blogPosts);
  }
  const feeds = posts.map((blogPosts, b) => renderFeed(origin, b, blogPosts, posts[peerOf(b)] ?? blogPosts));
  return { posts, feeds };
}

function postContent(origin: string, b: number, i: number, post: Post, peer: Post, previous: Post | undefined): string {
  const s = (k: number) => sentence(b * 3 + i * 5 + k);
  return [
    `<p>${s(0)} Dazu <a href="${peer.permalink}">die Antwort von Blog ${peerOf(b)}</a>.</p>`,
    ...(i % 3 === 0 ? [`<blockquote class="wp-block-quote is-layout-flow wp-block-quote-is-layout-flow"><p>${s(2)}</p></blockquote>`] : []),
    `<p>${s(3)}${previous ? ` Mehr dazu in <a href="${previous.permalink}">meinem letzten Beitrag</a>.` : ''} Hintergrund: <a href="https://de.wikipedia.org/wiki/Barcamp">Barcamp</a>.</p>`,
    ...(i % 4 === 0 ? [`<figure class="wp-block-image size-large"><img decoding="async" src="${origin}/blog${b}/wp-content/uploads/2024/05/camp-${post.id}.jpg" alt="" class="wp-image-${post.id + 7}"/></figure>`] : []),
  ].join('\n\n\n\n');
}

// wp_trim_excerpt(): the text, at most 55 words, then " [&#8230;]" when it was cut.
function excerpt(html: string): string {
  const words = html.replace(/<[^>]*>/g, ' ').split(/\s+/).filter(Boolean);
  return words.length > 55 ? `${words.slice(0, 55).join(' ')} [&#8230;]` : words.join(' ');
}

function renderFeed(origin: string, b: number, posts: Post[], peerPosts: Post[]): string {
  const home = `${origin}/blog${b}`;
  const items = posts.map((post, i) => {
    const content = postContent(origin, b, i, post, peerPosts[i]!, posts[i + 1]);
    return `	<item>
		<title>${escapeXml(post.title)}</title>
		<link>${post.permalink}</link>
					<comments>${post.permalink}#respond</comments>
		
		<dc:creator><![CDATA[Autorin ${b}]]></dc:creator>
		<pubDate>${rssDate(post.date)}</pubDate>
				<category><![CDATA[Barcamp]]></category>
		<category><![CDATA[Öffentlichkeit]]></category>
		<guid isPermaLink="false">${home}/?p=${post.id}</guid>

					<description><![CDATA[${excerpt(content)}]]></description>
										<content:encoded><![CDATA[${content}]]></content:encoded>
					
					<wfw:commentRss>${post.permalink}feed/</wfw:commentRss>
			<slash:comments>${(b + i) % 7}</slash:comments>
		
		
			</item>
`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>Blog ${b} – Gedanken über Netz und Öffentlichkeit</title>
	<atom:link href="${home}/feed/" rel="self" type="application/rss+xml" />
	<link>${home}</link>
	<description>Ein Blog über Medien, Barcamps und die Frage, wer im Netz zuhört</description>
	<lastBuildDate>${rssDate(posts[0]!.date)}</lastBuildDate>
	<language>de-DE</language>
	<sy:updatePeriod>
	hourly	</sy:updatePeriod>
	<sy:updateFrequency>
	1	</sy:updateFrequency>
	<generator>https://wordpress.org/?v=6.4.3</generator>
${items.join('')}</channel>
</rss>
`;
}

/** Starts the farm of `count` blogs on 127.0.0.1. */
export async function startWordPressFarm(count: number): Promise<WordPressFarm> {
  const tally = { feeds200: 0, feeds304: 0, comments404: 0, other: 0 };
  let feeds: { body: Buffer; lastModified: string; etag: string }[] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const feed = /^\/blog(\d+)\/feed\/$/.exec(path);
    const served = feed ? feeds[Number(feed[1])] : undefined;
    if (served) {
      // WordPress (WP::send_headers) answers 304 when the validators the client sent all match.
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      if ((inm || ims) && (!inm || inm === served.etag) && (!ims || ims === served.lastModified)) {
        tally.feeds304 += 1;
        res.writeHead(304, { etag: served.etag, 'last-modified': served.lastModified }).end();
        return;
      }
      tally.feeds200 += 1;
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=UTF-8', etag: served.etag, 'last-modified': served.lastModified, 'content-length': served.body.length });
      res.end(served.body);
      return;
    }
    if (/^\/blog\d+\/\d{4}\/\d{2}\/[^/]+\/feed\/(atom\/)?$/.test(path)) tally.comments404 += 1;
    else tally.other += 1;
    res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' }).end('<!doctype html><title>Seite nicht gefunden</title>');
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const built = buildBlogs(origin, count, Math.floor(Date.now() / day) * day);
  feeds = built.feeds.map((text, b) => {
    const lastModified = new Date(built.posts[b]![0]!.date).toUTCString();
    return { body: Buffer.from(text), lastModified, etag: `"${createHash('md5').update(lastModified).digest('hex')}"` };
  });
  return {
    feedUrls: built.posts.map((_, b) => `${origin}/blog${b}/feed/`),
    commentFeedUrls: built.posts.flatMap((posts) => posts.map((p) => `${p.permalink}feed/`)),
    meanFeedBytes: feeds.reduce((sum, f) => sum + f.body.length, 0) / feeds.length,
    counts: () => ({ ...tally }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
