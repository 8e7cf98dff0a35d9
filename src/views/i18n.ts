// Over 400 lines because it holds the words of every page in both languages, one table each.
// The interface languages (German, English): picking one per request from ?lang, the `lang`
// cookie or Accept-Language, and the words of every page. Content keeps its own language.

export type Locale = 'de' | 'en';
export const locales: readonly Locale[] = ['de', 'en'];
export const defaultLocale: Locale = 'en';

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/**
 * Picks the interface language: an explicit ?lang= wins, then the cookie the switch set, then
 * the best-weighted language of Accept-Language (RFC 9110 §12.5.4), else English.
 */
export function pickLocale(input: { query?: unknown; cookie?: string | undefined; acceptLanguage?: string | undefined }): Locale {
  if (isLocale(input.query)) return input.query;
  const fromCookie = /(?:^|;\s*)lang=(de|en)(?:;|$)/.exec(input.cookie ?? '')?.[1];
  if (isLocale(fromCookie)) return fromCookie;
  const ranges = (input.acceptLanguage ?? '')
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.base && r.q > 0 && !Number.isNaN(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const r of ranges) if (isLocale(r.base)) return r.base;
  return defaultLocale;
}

type Plural = { one: string; other: string };

export interface Messages {
  siteDescription: string;
  skipToContent: string;
  navConversations: string;
  navBlogs: string;
  navMain: string;
  languageSwitch: string;
  otherLanguageName: string;
  // home
  homeTitle: string;
  homeLede: (blogs: string) => string;
  emptyTitle: string;
  emptyText: string;
  emptyHowTo: string;
  nothingYet: string;
  searchLabel: string;
  searchButton: string;
  searchPlaceholder: string;
  searchResultsTitle: (q: string) => string;
  searchNoResults: string;
  searchTooShort: string;
  inConversation: string;
  pagerLabel: string;
  newer: string;
  older: string;
  pageOf: (page: string) => string;
  started: string;
  lastActivity: string;
  /** The zone a page's times are in ("Time zone: Central European Time (Europe/Berlin)"). */
  timeZoneNote: (zone: string) => string;
  /** A day separator's gap to the day before ("3 days later"). */
  daysLater: (n: number, formatted: string) => string;
  subscribeEverything: string;
  subscribeBlog: string;
  // counts
  posts: Plural;
  comments: Plural;
  linkbacks: Plural;
  blogs: Plural;
  entries: Plural;
  registeredBlogs: Plural;
  /** The registry table's caption: the nominative where the lede needs the dative in German. */
  registryCaption: Plural;
  // conversation
  untitled: string;
  conversation: string;
  views: string;
  timeline: string;
  thread: string;
  takingPart: string;
  subscribe: string;
  subscribeText: string;
  join: string;
  joinText: string;
  joinEndpoints: string;
  missing: (n: number, formatted: string) => string;
  /** Entries that answer each other in a circle: the thread starts each circle at its earliest entry. */
  replyCycles: (n: number, formatted: string) => string;
  /** The pager of a conversation cut into pages. */
  earlierPage: string;
  laterPage: string;
  firstPage: string;
  pageOfTotal: (page: string, total: string) => string;
  kind: Record<string, string>;
  channel: Record<string, string>;
  via: string;
  original: string;
  permalink: string;
  inReplyTo: string;
  someone: string;
  someoneCapital: string;
  /** Names a comment by the post it is on, as the feeds do ("Martin on 'Idee …'"). */
  commentOn: (who: string, postTitle: string) => string;
  commentOnComment: (who: string, otherAuthor: string) => string;
  commentBy: (who: string) => string;
  /** Names a ping by what it linked to ("planetsab linked to 'Idee …'"). */
  linkedTo: (who: string, title: string) => string;
  trackbackOfRoot: string;
  copy: string;
  copied: string;
  readMore: string;
  gone: string;
  goneAt: string;
  replies: Plural;
  // entry page
  readOriginal: string;
  partOf: string;
  aConversation: string;
  answerHint: string;
  // blogs
  blogsTitle: string;
  registerTitle: string;
  importOpml: string;
  blogInGroups: string;
  exportOpml: string;
  registerLabel: string;
  registerButton: string;
  registerHint: string;
  registry: string;
  noBlogs: string;
  colBlog: string;
  colStatus: string;
  colLastPoll: string;
  colNextCheck: string;
  colEntries: string;
  status: Record<'pending' | 'active' | 'failing' | 'disabled', string>;
  health: string;
  lastPoll: string;
  lastSuccess: string;
  nextCheck: string;
  lastError: string;
  found: string;
  notFound: string;
  discoveryNotesIntro: string;
  sources: string;
  sourceKind: Record<string, string>;
  pingbackEndpoint: string;
  webmentionEndpoint: string;
  rsdDocument: string;
  trackbackPingUrl: string;
  restApi: string;
  restApiOff: (reason: string) => string;
  missingComments: string;
  missingOfPost: (missing: string, reported: string) => string;
  /** In place of a blog's "may be missing" list while the tally thread is too busy to count it. */
  missingCounting: string;
  colSource: string;
  colAnswer: string;
  stopped: string;
  newestEntries: string;
  noEntries: string;
  conversationsOfBlog: string;
  noConversations: string;
  registeredNotice: string;
  knownNotice: string;
  /** A blog registered by a stranger under moderation; one a moderator refused. */
  pendingNotice: string;
  rejectedNotice: string;
  /** A feed longer than the per-poll cap: how many older items the last poll left out. */
  itemsSkipped: (n: number, formatted: string) => string;
  // errors
  errorNotFound: string;
  errorServer: string;
  errorOther: string;
  errorNotFoundText: string;
  errorServerText: string;
  backHome: string;
}

const de: Messages = {
  siteDescription: 'Palaver folgt Debatten über Blogs hinweg: Beiträge, Kommentare und Linkbacks an einem Ort.',
  skipToContent: 'Zum Inhalt springen',
  navConversations: 'Gespräche',
  navBlogs: 'Blogs',
  navMain: 'Hauptnavigation',
  languageSwitch: 'Sprache',
  otherLanguageName: 'English',
  homeTitle: 'Gespräche',
  homeLede: (blogs) => `Aus ${blogs}.`,
  emptyTitle: 'Einer Debatte über Blogs hinweg folgen',
  emptyText: 'Palaver liest die Feeds, Kommentare und Linkbacks mehrerer Blogs und zeigt sie als ein Gespräch.',
  emptyHowTo: 'Noch ist kein Blog registriert. Blogs registrieren Sie unter „Blogs“ mit ihrer Adresse; oder starten Sie die Demo-Debatte „Social Media Camp“ von 2008 mit',
  nothingYet: 'Noch nichts abgerufen: Der erste Abruf läuft kurz nach der Registrierung eines Blogs.',
  searchLabel: 'Suche in Titeln, Autorinnen und Autoren und Texten',
  searchButton: 'Suchen',
  searchPlaceholder: 'z. B. Social Media Camp',
  searchResultsTitle: (q) => `Suchergebnisse für „${q}“`,
  searchNoResults: 'Nichts gefunden.',
  searchTooShort: 'Bitte mindestens ein Wort eingeben.',
  inConversation: 'im Gespräch',
  pagerLabel: 'Seiten',
  newer: '← Neuere',
  older: 'Ältere →',
  pageOf: (page) => `Seite ${page}`,
  started: 'begonnen',
  lastActivity: 'zuletzt aktiv',
  timeZoneNote: (zone) => `Zeitzone: ${zone}`,
  daysLater: (n, formatted) => `${formatted} ${n === 1 ? 'Tag' : 'Tage'} später`,
  subscribeEverything: 'Alle Gespräche abonnieren',
  subscribeBlog: 'Dieses Blog in Palaver abonnieren',
  posts: { one: 'Beitrag', other: 'Beiträge' },
  comments: { one: 'Kommentar', other: 'Kommentare' },
  linkbacks: { one: 'Linkback', other: 'Linkbacks' },
  blogs: { one: 'Blog', other: 'Blogs' },
  entries: { one: 'Eintrag', other: 'Einträge' },
  registeredBlogs: { one: 'registrierten Blog', other: 'registrierten Blogs' },
  registryCaption: { one: 'registrierter Blog', other: 'registrierte Blogs' },
  untitled: '(ohne Titel)',
  conversation: 'Gespräch',
  views: 'Ansicht',
  timeline: 'Zeitleiste',
  thread: 'Baum',
  takingPart: 'Beteiligt',
  subscribe: 'Abonnieren',
  subscribeText: 'Das ganze Gespräch als ein Feed:',
  join: 'Mitreden',
  joinText: 'Verlinken Sie diese Seite oder einen Eintrag aus Ihrem Blog: Palaver nimmt Pingbacks, Webmentions und Trackbacks an und zeigt Ihren Beitrag hier.',
  joinEndpoints: 'Endpunkte',
  missing: (_n, formatted) => `${formatted} ${_n === 1 ? 'Kommentar fehlt' : 'Kommentare fehlen'} hier vielleicht: Die Blogs melden mehr Kommentare, als Palaver aus ihren Feeds, Schnittstellen und Seiten lesen konnte.`,
  replyCycles: (n, formatted) =>
    n === 1
      ? 'Einige Beiträge antworten einander im Kreis; der Thread beginnt diesen Kreis mit seinem frühesten Beitrag.'
      : `Beiträge antworten einander in ${formatted} Kreisen; der Thread beginnt jeden Kreis mit seinem frühesten Beitrag.`,
  earlierPage: '← Frühere',
  laterPage: 'Spätere →',
  firstPage: '← Erste Seite',
  pageOfTotal: (page, total) => `Seite ${page} von ${total}`,
  kind: { post: 'Beitrag', comment: 'Kommentar', pingback: 'Pingback', trackback: 'Trackback', webmention: 'Webmention' },
  channel: { feed: 'Feed', 'comment-feed': 'Kommentar-Feed', pingback: 'Pingback', trackback: 'Trackback', webmention: 'Webmention', listing: 'Ping-Liste' },
  via: 'über',
  original: 'Original',
  permalink: 'Link hierher',
  inReplyTo: 'Antwort auf',
  someone: 'jemand',
  someoneCapital: 'Jemand',
  commentOn: (who, postTitle) => `${who} zu „${postTitle}“`,
  commentOnComment: (who, other) => `${who} zu einem Kommentar von ${other}`,
  commentBy: (who) => `Kommentar von ${who}`,
  linkedTo: (who, title) => `${who} verlinkte „${title}“`,
  trackbackOfRoot: 'TrackBack (erster Beitrag)',
  copy: 'Kopieren',
  copied: 'Kopiert',
  readMore: 'Weiterlesen',
  gone: 'Dieser Eintrag ist an seiner Quelle verschwunden.',
  goneAt: 'verschwunden',
  replies: { one: 'Antwort', other: 'Antworten' },
  readOriginal: 'Original lesen',
  partOf: 'Teil von',
  aConversation: 'einem Gespräch',
  answerHint: 'Zum Antworten verlinken Sie diese Seite aus Ihrem Blog: Sie nimmt Pingback und Webmention an, TrackBacks unter dieser Adresse:',
  blogsTitle: 'Blogs',
  registerTitle: 'Blog registrieren',
  importOpml: 'Blogs aus OPML importieren',
  blogInGroups: 'Gruppen',
  exportOpml: 'Alle Blogs als OPML exportieren',
  registerLabel: 'Adresse des Blogs (Startseite, ein Beitrag oder sein Feed)',
  registerButton: 'Registrieren',
  registerHint: 'Palaver findet die Feeds, den Kommentar-Feed und die Pingback- und Webmention-Endpunkte selbst.',
  registry: 'Verzeichnis',
  noBlogs: 'Noch keine Blogs.',
  colBlog: 'Blog',
  colStatus: 'Zustand',
  colLastPoll: 'Letzter Abruf',
  colNextCheck: 'Nächster Abruf',
  colEntries: 'Einträge',
  status: { pending: 'wartet auf den ersten Abruf', active: 'in Ordnung', failing: 'gestört', disabled: 'angehalten' },
  health: 'Zustand',
  lastPoll: 'Letzter Abruf',
  lastSuccess: 'Letzter Erfolg',
  nextCheck: 'Nächster Abruf',
  lastError: 'Letzter Fehler',
  found: 'Was Palaver gefunden hat',
  notFound: 'nicht gefunden',
  discoveryNotesIntro: 'Was Palaver beim Suchen bemerkt hat (zur Information):',
  sources: 'Quellen',
  sourceKind: { feed: 'Beitrags-Feed', 'site-comments': 'Kommentar-Feed der Site', 'post-comments': 'Kommentar-Feed eines Beitrags', 'trackback-listing': 'TrackBack-Liste', 'pingback-listing': 'Pingback-Liste' },
  pingbackEndpoint: 'Pingback-Endpunkt',
  webmentionEndpoint: 'Webmention-Endpunkt',
  rsdDocument: 'RSD-Dokument',
  trackbackPingUrl: 'TrackBack-Ping-Adresse',
  restApi: 'WordPress-REST-API',
  restApiOff: (reason) => `abgeschaltet: ${reason}`,
  missingComments: 'Kommentare, die vielleicht fehlen',
  missingOfPost: (missing, reported) => `${missing} von ${reported} fehlen`,
  missingCounting: 'Die Kommentare, die vielleicht fehlen, werden gerade gezählt; laden Sie die Seite gleich neu, um sie zu sehen.',
  colSource: 'Quelle',
  colAnswer: 'Antwort',
  stopped: 'angehalten',
  newestEntries: 'Neueste Einträge',
  noEntries: 'Noch keine Einträge.',
  conversationsOfBlog: 'Gespräche mit diesem Blog',
  noConversations: 'Noch in keinem Gespräch.',
  registeredNotice: 'Das Blog ist registriert. Palaver ruft es gleich ab.',
  knownNotice: 'Dieses Blog war schon registriert.',
  pendingNotice: 'Das Blog ist registriert und wartet auf die Freigabe durch die Moderation. Palaver liest es schon; seine Beiträge erscheinen, sobald es freigegeben ist.',
  rejectedNotice: 'Die Moderation hat dieses Blog nicht aufgenommen; Palaver ruft es nicht ab.',
  itemsSkipped: (n, formatted) => `${formatted} ältere ${n === 1 ? 'Eintrag' : 'Einträge'} nicht gelesen: Palaver liest je Abruf nur die neuesten.`,
  errorNotFound: 'Nicht gefunden',
  errorServer: 'Etwas ist schiefgegangen',
  errorOther: 'Anfrage nicht möglich',
  errorNotFoundText: 'Diese Seite gibt es hier nicht.',
  errorServerText: 'Palaver hatte einen internen Fehler. Er wurde protokolliert.',
  backHome: 'Zurück zu den Gesprächen',
};

const en: Messages = {
  siteDescription: 'Palaver follows debates across blogs: posts, comments and linkbacks in one place.',
  skipToContent: 'Skip to content',
  navConversations: 'Conversations',
  navBlogs: 'Blogs',
  navMain: 'Main',
  languageSwitch: 'Language',
  otherLanguageName: 'Deutsch',
  homeTitle: 'Conversations',
  homeLede: (blogs) => `Across ${blogs}.`,
  emptyTitle: 'Follow a debate across blogs',
  emptyText: 'Palaver reads the feeds, comments and linkbacks of several blogs and shows them as one conversation.',
  emptyHowTo: 'No blogs are registered yet. Register a blog under “Blogs” by pasting its address, or see the bundled “Social Media Camp” debate from 2008 with',
  nothingYet: 'Nothing fetched yet: the first poll runs shortly after a blog is registered.',
  searchLabel: 'Search titles, authors and text',
  searchButton: 'Search',
  searchPlaceholder: 'e.g. Social Media Camp',
  searchResultsTitle: (q) => `Search results for “${q}”`,
  searchNoResults: 'Nothing found.',
  searchTooShort: 'Type at least one word.',
  inConversation: 'in',
  pagerLabel: 'Pages',
  newer: '← Newer',
  older: 'Older →',
  pageOf: (page) => `Page ${page}`,
  started: 'started',
  lastActivity: 'last activity',
  timeZoneNote: (zone) => `Time zone: ${zone}`,
  daysLater: (n, formatted) => `${formatted} ${n === 1 ? 'day' : 'days'} later`,
  subscribeEverything: 'Subscribe to every conversation',
  subscribeBlog: 'Subscribe to this blog in Palaver',
  posts: { one: 'post', other: 'posts' },
  comments: { one: 'comment', other: 'comments' },
  linkbacks: { one: 'linkback', other: 'linkbacks' },
  blogs: { one: 'blog', other: 'blogs' },
  entries: { one: 'entry', other: 'entries' },
  registeredBlogs: { one: 'registered blog', other: 'registered blogs' },
  registryCaption: { one: 'registered blog', other: 'registered blogs' },
  untitled: '(untitled)',
  conversation: 'Conversation',
  views: 'View',
  timeline: 'Timeline',
  thread: 'Thread',
  takingPart: 'Taking part',
  subscribe: 'Subscribe',
  subscribeText: 'The whole conversation as one feed:',
  join: 'Join in',
  joinText: 'Link to this page or to one of its entries from your blog: Palaver accepts pingbacks, webmentions and trackbacks and shows your post here.',
  joinEndpoints: 'Endpoints',
  missing: (n, formatted) => `${formatted} ${n === 1 ? 'comment' : 'comments'} may be missing: the blogs report more comments than Palaver could read from their feeds, APIs and pages.`,
  replyCycles: (n, formatted) =>
    n === 1
      ? 'Some entries answer each other in a circle; the thread starts the circle at its earliest entry.'
      : `Entries answer each other in ${formatted} circles; the thread starts each circle at its earliest entry.`,
  earlierPage: '← Earlier',
  laterPage: 'Later →',
  firstPage: '← First page',
  pageOfTotal: (page, total) => `Page ${page} of ${total}`,
  kind: { post: 'Post', comment: 'Comment', pingback: 'Pingback', trackback: 'Trackback', webmention: 'Webmention' },
  channel: { feed: 'feed', 'comment-feed': 'comment feed', pingback: 'pingback', trackback: 'trackback', webmention: 'webmention', listing: 'ping listing' },
  via: 'via',
  original: 'original',
  permalink: 'permalink',
  inReplyTo: 'in reply to',
  someone: 'someone',
  someoneCapital: 'Someone',
  commentOn: (who, postTitle) => `${who} on '${postTitle}'`,
  commentOnComment: (who, other) => `${who} on a comment by ${other}`,
  commentBy: (who) => `Comment by ${who}`,
  linkedTo: (who, title) => `${who} linked to '${title}'`,
  trackbackOfRoot: 'TrackBack (first post)',
  copy: 'Copy',
  copied: 'Copied',
  readMore: 'Read more',
  gone: 'This entry is gone from its source.',
  goneAt: 'gone',
  replies: { one: 'reply', other: 'replies' },
  readOriginal: 'Read the original',
  partOf: 'Part of',
  aConversation: 'a conversation',
  answerHint: 'To answer, link to this page from your blog: it accepts Pingback and Webmention, and TrackBacks at this address:',
  blogsTitle: 'Blogs',
  registerTitle: 'Register a blog',
  importOpml: 'Import blogs from OPML',
  blogInGroups: 'Groups',
  exportOpml: 'Export the registry as OPML',
  registerLabel: 'Address of the blog (home page, a post, or its feed)',
  registerButton: 'Register',
  registerHint: 'Palaver finds the feeds, the comment feed and the pingback and webmention endpoints itself.',
  registry: 'Registry',
  noBlogs: 'No blogs yet.',
  colBlog: 'Blog',
  colStatus: 'Status',
  colLastPoll: 'Last poll',
  colNextCheck: 'Next check',
  colEntries: 'Entries',
  status: { pending: 'waiting for the first poll', active: 'ok', failing: 'failing', disabled: 'stopped' },
  health: 'Health',
  lastPoll: 'Last poll',
  lastSuccess: 'Last success',
  nextCheck: 'Next check',
  lastError: 'Last error',
  found: 'What Palaver found',
  notFound: 'not found',
  discoveryNotesIntro: 'What Palaver noticed while looking (for information):',
  sources: 'Sources',
  sourceKind: { feed: 'Post feed', 'site-comments': 'Site comment feed', 'post-comments': 'Comment feed of a post', 'trackback-listing': 'TrackBack listing', 'pingback-listing': 'Pingback listing' },
  pingbackEndpoint: 'Pingback endpoint',
  webmentionEndpoint: 'Webmention endpoint',
  rsdDocument: 'RSD document',
  trackbackPingUrl: 'TrackBack ping URL',
  restApi: 'WordPress REST API',
  restApiOff: (reason) => `switched off: ${reason}`,
  missingComments: 'Comments that may be missing',
  missingOfPost: (missing, reported) => `${missing} of ${reported} missing`,
  missingCounting: 'The comments that may be missing are being counted; reload the page in a moment to see them.',
  colSource: 'Source',
  colAnswer: 'Answer',
  stopped: 'stopped',
  newestEntries: 'Newest entries',
  noEntries: 'No entries yet.',
  conversationsOfBlog: 'Conversations of this blog',
  noConversations: 'Not part of a conversation yet.',
  registeredNotice: 'The blog is registered. Palaver polls it in a moment.',
  knownNotice: 'This blog was already registered.',
  pendingNotice: 'The blog is registered and waits for a moderator. Palaver reads it already; its entries show once it is approved.',
  rejectedNotice: 'A moderator did not take this blog in; Palaver does not poll it.',
  itemsSkipped: (n, formatted) => `${formatted} older ${n === 1 ? 'item' : 'items'} left unread: Palaver reads only the newest of a feed per poll.`,
  errorNotFound: 'Not found',
  errorServer: 'Something went wrong',
  errorOther: 'Request not possible',
  errorNotFoundText: 'There is no such page here.',
  errorServerText: 'Palaver hit an internal error. It has been logged.',
  backHome: 'Back to the conversations',
};

const catalogue: Record<Locale, Messages> = { de, en };

/** Returns the words of a locale. */
export function messagesFor(locale: Locale): Messages {
  return catalogue[locale];
}

const numberFormats = new Map<Locale, Intl.NumberFormat>();
const pluralRules = new Map<Locale, Intl.PluralRules>();

/** Formats a number for the locale (1.234 / 1,234). */
export function formatNumber(n: number, locale: Locale): string {
  let f = numberFormats.get(locale);
  if (!f) numberFormats.set(locale, (f = new Intl.NumberFormat(locale)));
  return f.format(n);
}

/** Formats a count with its noun in the right plural form ("1 Kommentar", "3 comments"). */
export function formatCount(n: number, noun: Plural, locale: Locale): string {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return `${formatNumber(n, locale)} ${rules.select(n) === 'one' ? noun.one : noun.other}`;
}
