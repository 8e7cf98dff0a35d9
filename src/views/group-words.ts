// The words of the group pages (/groups, /g/:slug, its summary) in German and English, kept
// beside i18n.ts's catalogue so that the pages of groups bring their own table.
import type { Locale } from './i18n.ts';

type Plural = { one: string; other: string };

export interface GroupWords {
  navGroups: string;
  groupsTitle: string;
  groupsLede: string;
  noGroups: string;
  howToCreate: string;
  newGroupLink: string;
  members: Plural;
  conversations: Plural;
  /** "Veranstaltung: 12.–17. November 2008". */
  event: (range: string) => string;
  upcoming: (firstDay: string) => string;
  running: (day: string, days: string) => string;
  over: string;
  summaryLink: string;
  subscribeGroup: string;
  blogList: string;
  searchLabel: string;
  conversationsTitle: string;
  conversationsOfEvent: string;
  noConversations: string;
  outsideJoined: string;
  otherSites: Plural;
  programme: string;
  programmeNote: string;
  dayLabel: (n: string) => string;
  /** "4 Beiträge in 3 Blogs" / "4 posts on 3 blogs". */
  postsOnBlogs: (posts: string, blogs: string) => string;
  nothingPosted: string;
  morePosts: (n: string) => string;
  membersTitle: string;
  colPosted: string;
  postedYes: string;
  postedNo: string;
  summaryTitle: (title: string) => string;
  summaryLede: (range: string, days: string) => string;
  mostDiscussed: string;
  dayByDay: string;
  totals: string;
  blogsPosted: (n: string, of: string) => string;
  authors: Plural;
  silentMembers: string;
  backToGroup: string;
  days: Plural;
  programmePagerLabel: string;
  earlierDays: string;
  laterDays: string;
  moreMembers: string;
  fewerMembers: string;
  membersPagerLabel: string;
  summarySoFar: string;
}

const de: GroupWords = {
  navGroups: 'Gruppen',
  groupsTitle: 'Gruppen',
  groupsLede: 'Gruppen fassen Blogs zusammen, etwa die einer Blogwoche: eine Seite, ein Feed und ein Programm für alle.',
  noGroups: 'Noch keine Gruppen.',
  howToCreate: 'Eine Gruppe legt der Betreiber an, aus einer OPML-Liste oder aus registrierten Blogs:',
  newGroupLink: 'Neue Gruppe anlegen',
  members: { one: 'Blog', other: 'Blogs' },
  conversations: { one: 'Gespräch', other: 'Gespräche' },
  event: (range) => `Veranstaltung: ${range}`,
  upcoming: (day) => `beginnt am ${day}`,
  running: (day, days) => `läuft: Tag ${day} von ${days}`,
  over: 'vorbei',
  summaryLink: 'Zusammenfassung',
  subscribeGroup: 'Diese Gruppe abonnieren',
  blogList: 'Blogliste (OPML)',
  searchLabel: 'In dieser Gruppe suchen: Titel, Autorinnen und Autoren, Texte',
  conversationsTitle: 'Gespräche',
  conversationsOfEvent: 'Gespräche mit Einträgen der Gruppe während der Veranstaltung',
  noConversations: 'Noch kein Gespräch mit Einträgen der Blogs dieser Gruppe.',
  outsideJoined: 'Von außerhalb der Gruppe dabei:',
  otherSites: { one: 'weitere Site', other: 'weitere Sites' },
  programme: 'Programm',
  programmeNote: 'Was an welchem Tag in welchem Blog der Gruppe erschien.',
  dayLabel: (n) => `Tag ${n}`,
  postsOnBlogs: (posts, blogs) => `${posts} in ${blogs}`,
  nothingPosted: 'nichts veröffentlicht',
  morePosts: (n) => `und ${n} weitere`,
  membersTitle: 'Blogs der Gruppe',
  colPosted: 'Dabei',
  postedYes: 'hat gebloggt',
  postedNo: 'noch nichts',
  summaryTitle: (title) => `${title}: Zusammenfassung`,
  summaryLede: (range, days) => `${range}, ${days}.`,
  mostDiscussed: 'Die meistdiskutierten Gespräche',
  dayByDay: 'Tag für Tag',
  totals: 'In Zahlen',
  blogsPosted: (n, of) => `${n} von ${of} Blogs haben gebloggt`,
  authors: { one: 'Autorin oder Autor', other: 'Autorinnen und Autoren' },
  silentMembers: 'Ohne Beitrag während der Veranstaltung:',
  backToGroup: 'Zur Gruppe',
  days: { one: 'Tag', other: 'Tage' },
  programmePagerLabel: 'Tage des Programms',
  earlierDays: '← Frühere Tage',
  laterDays: 'Spätere Tage →',
  moreMembers: 'Weitere Blogs →',
  fewerMembers: '← Vorige Blogs',
  membersPagerLabel: 'Seiten der Blogliste',
  summarySoFar: 'Die Veranstaltung läuft noch: Das ist der Stand bis jetzt.',
};

const en: GroupWords = {
  navGroups: 'Groups',
  groupsTitle: 'Groups',
  groupsLede: 'Groups gather blogs, such as those of a blog week: one page, one feed and one programme for all of them.',
  noGroups: 'No groups yet.',
  howToCreate: 'The operator creates a group from an OPML list or from registered blogs:',
  newGroupLink: 'Create a group',
  members: { one: 'blog', other: 'blogs' },
  conversations: { one: 'conversation', other: 'conversations' },
  event: (range) => `Event: ${range}`,
  upcoming: (day) => `starts on ${day}`,
  running: (day, days) => `under way: day ${day} of ${days}`,
  over: 'over',
  summaryLink: 'Summary',
  subscribeGroup: 'Subscribe to this group',
  blogList: 'Blog list (OPML)',
  searchLabel: 'Search this group: titles, authors and text',
  conversationsTitle: 'Conversations',
  conversationsOfEvent: 'Conversations with entries of the group during the event',
  noConversations: 'No conversation with entries of this group’s blogs yet.',
  outsideJoined: 'Joined from outside the group:',
  otherSites: { one: 'other site', other: 'other sites' },
  programme: 'Day by day',
  programmeNote: 'What appeared on which day on which blog of the group.',
  dayLabel: (n) => `Day ${n}`,
  postsOnBlogs: (posts, blogs) => `${posts} on ${blogs}`,
  nothingPosted: 'nothing posted',
  morePosts: (n) => `and ${n} more`,
  membersTitle: 'Blogs in this group',
  colPosted: 'Took part',
  postedYes: 'posted',
  postedNo: 'nothing yet',
  summaryTitle: (title) => `${title}: summary`,
  summaryLede: (range, days) => `${range}, ${days}.`,
  mostDiscussed: 'The most discussed conversations',
  dayByDay: 'Day by day',
  totals: 'In numbers',
  blogsPosted: (n, of) => `${n} of ${of} blogs posted`,
  authors: { one: 'author', other: 'authors' },
  silentMembers: 'No post during the event:',
  backToGroup: 'Back to the group',
  days: { one: 'day', other: 'days' },
  programmePagerLabel: 'Days of the programme',
  earlierDays: '← Earlier days',
  laterDays: 'Later days →',
  moreMembers: 'More blogs →',
  fewerMembers: '← Previous blogs',
  membersPagerLabel: 'Pages of the blog list',
  summarySoFar: 'The event is still under way: this is how it stands so far.',
};

const catalogue: Record<Locale, GroupWords> = { de, en };

/** Returns the group pages' words of a locale. */
export function groupWordsFor(locale: Locale): GroupWords {
  return catalogue[locale];
}
