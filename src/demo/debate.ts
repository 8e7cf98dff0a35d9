// The 2008 "Social Media Camp" debate as plain data: three blogs, their posts and comments
// (pingbacks included, as WordPress stores them). No rendering and no URLs with ports here:
// links between blogs are placeholders that the renderer resolves once the servers listen.
//
// Placeholders inside content and author URLs: `{{key/slug}}` is the permalink of that post,
// `{{key}}` the blog's home page. All times are UTC (WordPress's *_gmt columns); the blogs
// display them in Europe/Berlin, which also decides the /yyyy/mm/ of each permalink.

export type BlogKey = 'sachar' | 'planetsab' | 'freitag';

export type CommentType = 'comment' | 'pingback' | 'trackback';

export interface DebateComment {
  /** comment_ID: counts up across the whole blog, with gaps (spam, deleted comments). */
  id: number;
  type: CommentType;
  /** For a pingback the source page's <title>, for a trackback the sender's blog_name. */
  author: string;
  authorUrl?: string;
  /** comment_date_gmt, ISO 8601 UTC. */
  date: string;
  /** comment_content as stored: plain text with line breaks, a little inline HTML, entities kept. */
  content: string;
  /** comment_parent: 0 for a top-level comment. */
  parentId: number;
}

export interface DebatePost {
  /** Post ID: the number in the guid `<home>/?p=ID`. */
  id: number;
  slug: string;
  title: string;
  author: string;
  /** post_date_gmt and post_modified_gmt, ISO 8601 UTC. */
  date: string;
  modified: string;
  /** Category first, then tags: the_category_rss() lists both. */
  categories: string[];
  /** post_content: block-level HTML, as the classic editor saved it. */
  content: string;
  comments: DebateComment[];
}

export interface DebateBlog {
  key: BlogKey;
  /** blogname as typed in the settings (WordPress texturizes it on output). */
  name: string;
  description: string;
  /** The post author's profile website, if any (Atom author/uri). */
  authorUrl?: string;
  posts: DebatePost[];
}

/** Slugs of the three posts that make up the debate, one per blog. */
export const debateSlugs = {
  sachar: 'idee-ein-social-media-camp',
  planetsab: 'social-media-camp-ein-kleiner-exkurs',
  freitag: 'social-media-camp-viel-gerede-noch-kein-camp',
} as const satisfies Record<BlogKey, string>;

const sachar: DebateBlog = {
  key: 'sachar',
  name: "Sachar's Blog",
  description: 'Gedanken über Medien, Netz und Gesellschaft',
  posts: [
    {
      id: 35,
      slug: 'warum-ich-wieder-mehr-feeds-lese',
      title: 'Warum ich wieder mehr Feeds lese',
      author: 'Sachar',
      date: '2008-09-24T19:20:00Z',
      modified: '2008-09-24T19:20:00Z',
      categories: ['Allgemein', 'RSS'],
      content: `<p>Eine Zeit lang habe ich fast nur noch über Empfehlungen gelesen: was Freunde verlinken, was oben auf den Aggregatoren steht. Das ist bequem, aber man liest am Ende immer dasselbe.</p>
<p>Seit zwei Wochen habe ich meinen Feedreader wieder aufgeräumt. Knapp achtzig Blogs, sortiert nach Themen, dazu eine Handvoll Zeitungen. Morgens eine halbe Stunde, abends noch einmal – mehr nicht.</p>
<p>Das Schöne daran: Ich entdecke wieder Leute, die nicht ständig laut sind, aber kluge Sachen schreiben. Wer noch Empfehlungen für gute deutschsprachige Blogs hat: immer her damit.</p>`,
      comments: [
        {
          id: 371,
          type: 'comment',
          author: 'Thomas W.',
          date: '2008-09-25T06:42:00Z',
          content: 'Geht mir genauso. Ich habe irgendwann gemerkt, dass ich nur noch die Überschriften kenne, aber kaum noch einen Text zu Ende gelesen habe.',
          parentId: 0,
        },
      ],
    },
    {
      id: 38,
      slug: 'notizen-von-der-buchmesse',
      title: 'Notizen von der Buchmesse',
      author: 'Sachar',
      date: '2008-10-20T17:05:00Z',
      modified: '2008-10-20T17:05:00Z',
      categories: ['Allgemein', 'Bücher'],
      content: `<p>Fünf Tage Frankfurt, drei Hallen, unzählige Gespräche. Ein paar Notizen, bevor ich sie wieder vergesse:</p>
<ul>
<li>Alle reden über E-Books, kaum jemand hat einen Reader dabei.</li>
<li>Die Verlage haben die Blogs entdeckt – zumindest als Thema auf dem Podium.</li>
<li>Die besten Gespräche fanden, wie immer, abends statt und nicht auf den Bühnen.</li>
</ul>
<p>Mehr dazu, wenn ich meinen Stapel Visitenkarten sortiert habe.</p>`,
      comments: [],
    },
    {
      id: 41,
      slug: debateSlugs.sachar,
      title: 'Idee: ein Social Media Camp',
      author: 'Sachar',
      date: '2008-11-12T08:47:00Z',
      modified: '2008-11-12T08:47:00Z',
      categories: ['Allgemein', 'Barcamp', 'Social Media'],
      content: `<p>Seit Wochen geistert sie durch meinen Kopf, jetzt schreibe ich sie einfach mal auf: Wie wäre es mit einem <strong>Social Media Camp</strong>? Ein Barcamp also, aber eines, das sich ganz auf das konzentriert, was wir hier jeden Tag tun – bloggen, kommentieren, verlinken, vernetzen.</p>
<p>Die Barcamps der letzten Monate waren großartig, keine Frage. Aber die Sessions über Blogs und Communities gehen zwischen Startup-Pitches und Programmiersprachen oft unter. Ich stelle mir zwei Tage vor, an denen Blogger, Community-Leute, Journalisten und alle, die sich für das Mitmach-Netz interessieren, zusammenkommen und einfach mal reden: Wie verändert sich Öffentlichkeit, wenn jeder publizieren kann? Wie führen wir Debatten, die über fünf Blogs verstreut sind? Und was machen eigentlich die Unternehmen, die gerade merken, dass über sie geredet wird?</p>
<p>Ganz konkret:</p>
<ul>
<li>Ort: irgendwo zentral, vielleicht Köln oder Berlin</li>
<li>Zeit: Frühjahr 2009</li>
<li>Format: Barcamp – keine Zuschauer, nur Teilnehmer</li>
<li>Kosten: so niedrig wie möglich, den Rest über Sponsoren</li>
</ul>
<p>Was meint ihr? Wäre jemand dabei? Wer hätte Lust, mitzuorganisieren? Ich freue mich über Kommentare – oder noch besser: über Antworten in euren eigenen Blogs.</p>`,
      comments: [
        {
          id: 402,
          type: 'comment',
          author: 'Martin',
          authorUrl: 'http://martin.example.net/',
          date: '2008-11-12T10:05:00Z',
          content: 'Bin sofort dabei! Köln fände ich schön, da ist im Frühjahr auch sonst nicht so viel los.\n\nFalls du Hilfe bei der Raumsuche brauchst, sag Bescheid.',
          parentId: 0,
        },
        {
          // WordPress pinged Sachar when planetsab published; the 2008 theme's <title> became the author.
          id: 403,
          type: 'pingback',
          author: 'planetsab » Blog Archive » Social Media Camp – ein kleiner Exkurs',
          authorUrl: `{{planetsab/${debateSlugs.planetsab}}}`,
          date: '2008-11-14T21:36:00Z',
          content: '[&#8230;] Sachar hat vor ein paar Tagen die Idee eines Social Media Camps in den Raum geworfen [&#8230;]',
          parentId: 0,
        },
      ],
    },
  ],
};

const planetsab: DebateBlog = {
  key: 'planetsab',
  name: 'planetsab',
  description: 'Notizen aus dem Netz',
  posts: [
    {
      id: 198,
      slug: 'herbst-tee-und-ein-aufgeraeumter-feedreader',
      title: 'Herbst, Tee und ein aufgeräumter Feedreader',
      author: 'planetsab',
      date: '2008-10-09T16:45:00Z',
      modified: '2008-10-09T16:45:00Z',
      categories: ['Alltag'],
      content: `<p>Draußen regnet es seit drei Tagen, drinnen gibt es Tee und endlich Zeit für Dinge, die ich ewig vor mir hergeschoben habe. Zum Beispiel meinen Feedreader: über 300 ungelesene Beiträge, die Hälfte davon aus Blogs, die seit Monaten nichts mehr geschrieben haben.</p>
<p>Jetzt sind es noch 60 Abos. Es fühlt sich an wie ein aufgeräumter Schreibtisch – man weiß, dass es nicht lange hält, aber für den Moment ist es großartig.</p>`,
      comments: [
        {
          id: 1102,
          type: 'comment',
          author: 'Katrin R.',
          authorUrl: 'http://katrin.example.org/',
          date: '2008-10-10T07:31:00Z',
          content: 'Sechzig ist ja geradezu asketisch. Bei mir sind es über zweihundert, und ich traue mich nicht, auszumisten...',
          parentId: 0,
        },
      ],
    },
    {
      id: 205,
      slug: 'warum-ich-noch-nicht-twittere',
      title: 'Warum ich (noch) nicht twittere',
      author: 'planetsab',
      date: '2008-10-28T20:15:00Z',
      modified: '2008-10-28T20:15:00Z',
      categories: ['Netz'],
      content: `<p>Ständig werde ich gefragt, warum ich eigentlich nicht bei Twitter bin. Die ehrliche Antwort: Ich habe Angst, dass es mich auffrisst. Ein Blog verlangt, dass man einen Gedanken zu Ende denkt. 140 Zeichen verlangen das nicht.</p>
<p>Vielleicht irre ich mich. Vielleicht ist es genau umgekehrt, und die kurzen Notizen machen den Kopf frei für die langen Texte. Ich beobachte das noch ein bisschen.</p>`,
      comments: [
        {
          id: 1150,
          type: 'comment',
          author: 'Martin',
          authorUrl: 'http://martin.example.net/',
          date: '2008-10-29T08:12:00Z',
          content: 'Probier es doch einfach vier Wochen aus. Aufhören kann man immer noch.',
          parentId: 0,
        },
        {
          id: 1151,
          type: 'comment',
          author: 'planetsab',
          date: '2008-10-29T19:03:00Z',
          content: 'Das sagen sie alle. Und dann sind sie nie wieder aufgetaucht. ;-)',
          parentId: 1150,
        },
      ],
    },
    {
      id: 213,
      slug: debateSlugs.planetsab,
      title: 'Social Media Camp – ein kleiner Exkurs',
      author: 'planetsab',
      date: '2008-11-14T21:30:00Z',
      // A typo fixed the next morning: Atom <updated> differs from <published>.
      modified: '2008-11-15T07:52:00Z',
      categories: ['Netz', 'Barcamp', 'Social Media'],
      content: `<p>Sachar hat vor ein paar Tagen <a href="{{sachar/${debateSlugs.sachar}}}">die Idee eines Social Media Camps</a> in den Raum geworfen, und seitdem lässt mich das Thema nicht mehr los. Deshalb hier ein kleiner Exkurs – länger als geplant, wie immer.</p>
<h3>Warum überhaupt ein eigenes Camp?</h3>
<p>Auf den Barcamps, die ich in diesem Jahr besucht habe, waren die Sessions über Blogs, Communities und „Social Media“ (ich mag das Wort immer noch nicht besonders) meistens die vollsten. Gleichzeitig blieb für sie am wenigsten Zeit: 45 Minuten, dann steht schon die nächste Gruppe in der Tür, und die Diskussion, die gerade erst in Gang gekommen war, verläuft im Sande.</p>
<p>Ein Camp, das sich ausschließlich diesen Themen widmet, könnte das ändern. Nicht als Konferenz mit Bühne und Podium, sondern so, wie Sachar es vorschlägt: Alle reden mit, niemand schaut nur zu.</p>
<h3>Das eigentliche Problem: Wo findet die Debatte statt?</h3>
<p>Was mich aber fast mehr beschäftigt als das Camp selbst, ist die Frage, wie wir darüber reden. Sachar schreibt in seinem Blog, ich antworte hier, andere kommentieren bei ihm oder bei mir, wieder andere schreiben eigene Beiträge. Trackbacks und Pingbacks verbinden das ein bisschen, aber wer die ganze Diskussion lesen will, muss sich durch ein halbes Dutzend Seiten klicken und die Kommentare selbst zusammensuchen.</p>
<p>rivva zeigt immerhin, wer auf wen verlinkt – die Kommentare aber sieht man dort nicht. Und eine eigene Gruppe auf irgendeiner Plattform zu gründen, holt das Gespräch zwar an einen Ort, aber eben weg von den Blogs, wo es eigentlich hingehört.</p>
<p>Vielleicht wäre genau das ein gutes Thema für die erste Session: Wie führen wir eine Debatte, die über viele Blogs verteilt ist, ohne dass sie zerfasert?</p>
<h3>Was ich mir wünschen würde</h3>
<ul>
<li>einen Termin, der nicht mit den großen Konferenzen kollidiert,</li>
<li>einen Ort, der mit der Bahn gut erreichbar ist,</li>
<li>und vor allem: Leute, die nicht nur über Social Media reden, sondern es auch machen.</li>
</ul>
<p>Ich bin gespannt, was ihr dazu sagt – hier in den Kommentaren oder gern auch in euren eigenen Blogs.</p>`,
      comments: [
        {
          id: 1187,
          type: 'comment',
          author: 'Jens Best',
          date: '2008-11-15T08:14:00Z',
          content: 'Schöner Exkurs! Ich glaube allerdings, das Problem mit der verteilten Diskussion ist kein technisches, sondern ein kulturelles: Jeder will die Debatte in seinem eigenen Blog haben.\n\nTrotzdem bin ich für das Camp - und zwar lieber früher als später. Wer macht eine Liste?',
          parentId: 0,
        },
        {
          id: 1188,
          type: 'comment',
          author: 'Katrin R.',
          authorUrl: 'http://katrin.example.org/',
          date: '2008-11-15T10:02:00Z',
          content: '@Jens: Die Liste gibt\'s doch quasi schon, bei Sachar in den Kommentaren. ;-)\n\nAber im Ernst: Eine Wiki-Seite wäre nicht schlecht, dann muss nicht jeder alle Blogs abklappern.',
          parentId: 1187,
        },
        {
          id: 1190,
          type: 'comment',
          author: 'Thomas W.',
          date: '2008-11-16T18:40:00Z',
          content: 'Ich finde die Frage nach dem Ort der Debatte ehrlich gesagt spannender als das Camp. Man müsste die Kommentare aus allen beteiligten Blogs an einer Stelle lesen können, in der richtigen Reihenfolge und mit "wer antwortet wem". Gibt es so etwas?',
          parentId: 0,
        },
        {
          id: 1191,
          type: 'pingback',
          author: 'Freitag » Blog Archive » Social Media Camp: Viel Gerede, noch kein Camp',
          authorUrl: `{{freitag/${debateSlugs.freitag}}}`,
          date: '2008-11-17T08:05:00Z',
          content: '[&#8230;] Social Media Camp hat sich noch nicht so viel getan [&#8230;]',
          parentId: 0,
        },
        {
          id: 1194,
          type: 'comment',
          author: 'Markus',
          authorUrl: 'http://markus.example.net/blog/',
          date: '2008-11-17T21:10:00Z',
          content: 'Wer es noch nicht gesehen hat: Beim Freitag gibt es inzwischen auch einen Beitrag dazu. Die Debatte verteilt sich also munter weiter... was ja irgendwie genau dein Punkt war.',
          parentId: 0,
        },
      ],
    },
  ],
};

const freitag: DebateBlog = {
  key: 'freitag',
  name: 'Freitag',
  description: 'Blogs und Debatten der Community',
  posts: [
    {
      id: 3301,
      slug: 'zeitung-im-netz-wer-zahlt-wer-liest',
      title: 'Zeitung im Netz: Wer zahlt, wer liest?',
      author: 'Redaktion',
      date: '2008-10-17T09:30:00Z',
      modified: '2008-10-17T09:30:00Z',
      categories: ['Medien'],
      content: `<p>Die Auflagen sinken, die Klickzahlen steigen – und trotzdem verdient kaum eine Zeitung im Netz Geld. Bezahlschranken gelten als gescheitert, Werbung allein trägt die Redaktionen nicht.</p>
<p>Wir wollen von unseren Leserinnen und Lesern wissen: Würden Sie für gute Texte im Netz bezahlen? Und wenn ja, wie viel?</p>`,
      comments: [],
    },
    {
      id: 3318,
      slug: 'reformationstag-statt-halloween',
      title: 'Reformationstag statt Halloween?',
      author: 'Redaktion',
      date: '2008-10-31T10:00:00Z',
      modified: '2008-10-31T10:00:00Z',
      categories: ['Gesellschaft'],
      content: `<p>Kürbisse in jedem Supermarkt, verkleidete Kinder an jeder Tür: Halloween hat sich in Deutschland erstaunlich schnell durchgesetzt. Der Reformationstag am selben Datum dagegen ist nur noch in wenigen Ländern ein Feiertag.</p>
<p>Ist das ein Verlust – oder einfach nur der Lauf der Dinge?</p>`,
      comments: [
        {
          id: 7690,
          type: 'comment',
          author: 'Martin',
          authorUrl: 'http://martin.example.net/',
          date: '2008-10-31T15:48:00Z',
          content: 'Bei uns klingeln die Kinder trotzdem. Ich habe vorsichtshalber Äpfel gekauft.',
          parentId: 0,
        },
      ],
    },
    {
      id: 3342,
      slug: debateSlugs.freitag,
      title: 'Social Media Camp: Viel Gerede, noch kein Camp',
      author: 'Redaktion',
      date: '2008-11-17T07:58:00Z',
      modified: '2008-11-17T07:58:00Z',
      categories: ['Medien', 'Blogs', 'Social Media'],
      content: `<p>Die deutsche Blogosphäre diskutiert mal wieder über sich selbst – diesmal über ein „Social Media Camp“. Angestoßen hat die Debatte Sachar, ausführlich aufgegriffen hat sie planetsab mit einem <a href="{{planetsab/${debateSlugs.planetsab}}}">kleinen Exkurs</a>, in dem sie vor allem eine Frage stellt: Wo findet so eine Debatte eigentlich statt?</p>
<p>Eine gute Frage. Denn bislang findet sie überall und nirgends statt: in zwei, drei Blogs, in deren Kommentarspalten und in einer eigens gegründeten Gruppe bei mixxt. Wer mitlesen will, braucht Geduld und viele offene Browserfenster.</p>
<p>Beim Social Media Camp hat sich noch nicht so viel getan, was Ort und Termin angeht. Dafür ist die Diskussion über die Form schon erstaunlich weit: Barcamp statt Konferenz, Teilnehmer statt Publikum, Blogs statt Pressemitteilungen.</p>
<p>Wir sind gespannt, ob aus dem Gerede ein Camp wird – und werden berichten.</p>`,
      comments: [
        {
          id: 7711,
          type: 'comment',
          author: 'Katrin R.',
          authorUrl: 'http://katrin.example.org/',
          date: '2008-11-17T12:20:00Z',
          content: 'Danke für die Zusammenfassung! Genau so ein Überblick hat mir gefehlt.',
          parentId: 0,
        },
      ],
    },
  ],
};

/** Returns a fresh, mutable copy of the debate, so each set of demo blogs can change its own. */
export function createDebate(): DebateBlog[] {
  return structuredClone([sachar, planetsab, freitag]);
}
