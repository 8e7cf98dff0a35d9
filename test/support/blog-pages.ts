// Hand-written pages and feeds of a small WordPress-like blog for discovery and route tests.
// The demo's fixture blogs (src/demo) are the full-size WordPress replica; these stay minimal
// so each test shows the one thing it checks.

export function homePage(origin: string, extraHead = ''): string {
  return `<!DOCTYPE html>
<html lang="de-DE"><head>
<meta charset="UTF-8">
<title>Testblog – Über „Dies“ und „Das“</title>
<link rel="alternate" type="application/rss+xml" title="Testblog &raquo; Feed" href="${origin}/feed/" />
<link rel="alternate" type="application/rss+xml" title="Testblog &raquo; Kommentar-Feed" href="${origin}/comments/feed/" />
<link rel="EditURI" type="application/rsd+xml" title="RSD" href="${origin}/xmlrpc.php?rsd" />
${extraHead}
</head><body><h1>Testblog</h1></body></html>`;
}

export function rsd(origin: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><rsd version="1.0" xmlns="http://archipelago.phrasewise.com/rsd">
<service><engineName>WordPress</engineName><engineLink>https://wordpress.org/</engineLink><homePageLink>${origin}</homePageLink>
<apis><api name="WordPress" blogID="1" preferred="true" apiLink="${origin}/xmlrpc.php" />
<api name="Movable Type" blogID="1" preferred="false" apiLink="${origin}/xmlrpc.php" /></apis></service></rsd>`;
}

export function rssFeed(origin: string, items: { id: number; title: string; slug: string; body: string; date: string }[], selfOrigin = origin): string {
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
	<title>Testblog</title>
	<atom:link href="${selfOrigin}/feed/" rel="self" type="application/rss+xml" />
	<link>${origin}</link>
	<description>Über „Dies“ und „Das“</description>
	<lastBuildDate>Mon, 17 Nov 2008 10:00:00 +0000</lastBuildDate>
	<language>de-DE</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
${items
  .map(
    (i) => `	<item>
		<title>${i.title}</title>
		<link>${origin}/2008/11/${i.slug}/</link>
		<comments>${origin}/2008/11/${i.slug}/#comments</comments>
		<dc:creator><![CDATA[Sab]]></dc:creator>
		<pubDate>${i.date}</pubDate>
		<guid isPermaLink="false">${origin}/?p=${i.id}</guid>
		<description><![CDATA[${i.body.slice(0, 40)} [&#8230;]]]></description>
		<content:encoded><![CDATA[${i.body}]]></content:encoded>
		<wfw:commentRss>${origin}/2008/11/${i.slug}/feed/</wfw:commentRss>
		<slash:comments>0</slash:comments>
	</item>`,
  )
  .join('\n')}
</channel>
</rss>`;
}
