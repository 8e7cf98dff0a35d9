// The words of the debate map and its summary, in German and English (kept beside the map
// rather than in i18n.ts, which holds the words every page shares).
import type { Locale } from '../i18n.ts';

export interface MapWords {
  /** The map's accessible name. */
  mapLabel: string;
  skipMap: string;
  asSvg: string;
  otherSites: string;
  moreBlogs: (n: number) => string;
  /** A compressed pause ("2 days"). */
  pause: (days: number) => string;
  /** A bin's title: how many entries, about what, on which day. */
  binOn: (count: string, what: string, day: string) => string;
  binOfDay: (count: string, day: string) => string;
  entriesNoun: (n: number) => string;
  commentsNoun: (n: number) => string;
  // The summary
  overview: (blogs: string, entries: string, range: string) => string;
  /** "planetsab answered a post on Sachar's Blog 2 days later". */
  answered: (who: string, kind: 'post' | 'comment' | 'linkback', whose: string, days: number) => string;
  joined: (who: string, day: number) => string;
  moreJoined: (n: number, byDay: number) => string;
  busiest: (day: string, count: number) => string;
  unfollowedPings: (n: number) => string;
  blogsNoun: (n: number) => string;
  /** The sparkline's accessible name. */
  activity: (entries: string, days: string) => string;
  daysNoun: (n: number) => string;
}

const de: MapWords = {
  mapLabel: 'Karte der Debatte',
  skipMap: 'Karte überspringen',
  asSvg: 'Karte als SVG',
  otherSites: 'Andere Seiten',
  moreBlogs: (n) => `${n} weitere Blogs`,
  pause: (days) => (days === 1 ? '1 Tag' : `${days} Tage`),
  binOn: (count, what, day) => `${count} zu ${what}, ${day}`,
  binOfDay: (count, day) => `${count}, ${day}`,
  entriesNoun: (n) => (n === 1 ? 'Eintrag' : 'Einträge'),
  commentsNoun: (n) => (n === 1 ? 'Kommentar' : 'Kommentare'),
  overview: (blogs, entries, range) => `${blogs}, ${entries}, ${range}`,
  answered: (who, kind, whose, days) =>
    `${who} antwortete ${days === 0 ? 'am selben Tag' : days === 1 ? 'einen Tag später' : `${days} Tage später`} auf einen ${{ post: 'Beitrag', comment: 'Kommentar', linkback: 'Linkback' }[kind]} in ${whose}`,
  joined: (who, day) => `${who} kam am ${day}. Tag dazu`,
  moreJoined: (n, byDay) => `${n === 1 ? 'ein weiteres Blog kam' : `${n} weitere Blogs kamen`} bis zum ${byDay}. Tag dazu`,
  busiest: (day, count) => `die meisten Einträge am ${day} (${count})`,
  unfollowedPings: (n) => `${n} ${n === 1 ? 'Linkback' : 'Linkbacks'} von Seiten, denen Palaver nicht folgt`,
  blogsNoun: (n) => (n === 1 ? 'Blog' : 'Blogs'),
  activity: (entries, days) => `Verlauf: ${entries} an ${days}`,
  daysNoun: (n) => (n === 1 ? 'Tag' : 'Tagen'),
};

const en: MapWords = {
  mapLabel: 'Map of the debate',
  skipMap: 'Skip the map',
  asSvg: 'Map as SVG',
  otherSites: 'Other sites',
  moreBlogs: (n) => `${n} more blogs`,
  pause: (days) => (days === 1 ? '1 day' : `${days} days`),
  binOn: (count, what, day) => `${count} on ${what}, ${day}`,
  binOfDay: (count, day) => `${count}, ${day}`,
  entriesNoun: (n) => (n === 1 ? 'entry' : 'entries'),
  commentsNoun: (n) => (n === 1 ? 'comment' : 'comments'),
  overview: (blogs, entries, range) => `${blogs}, ${entries}, ${range}`,
  answered: (who, kind, whose, days) =>
    `${who} answered a ${{ post: 'post', comment: 'comment', linkback: 'linkback' }[kind]} on ${whose} ${days === 0 ? 'the same day' : days === 1 ? 'a day later' : `${days} days later`}`,
  joined: (who, day) => `${who} joined on day ${day}`,
  moreJoined: (n, byDay) => `${n === 1 ? 'one more blog' : `${n} more blogs`} joined by day ${byDay}`,
  busiest: (day, count) => `most entries on ${day} (${count})`,
  unfollowedPings: (n) => `${n} ${n === 1 ? 'linkback' : 'linkbacks'} from sites Palaver does not follow`,
  blogsNoun: (n) => (n === 1 ? 'blog' : 'blogs'),
  activity: (entries, days) => `Activity: ${entries} on ${days}`,
  daysNoun: (n) => (n === 1 ? 'day' : 'days'),
};

/** Returns the map's words in a language. */
export function mapWordsFor(locale: Locale): MapWords {
  return locale === 'de' ? de : en;
}
