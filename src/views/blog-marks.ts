// Each blog of a conversation keeps one colour and one letter wherever the conversation shows:
// its page, its map, the home page's small map. Assigned in the order blogs joined the debate.
import type { BlogRef } from '../domain/models.ts';
import { blogName } from './entry-names.ts';

// Blog marks cycle through this many colours (palaver.css .blog-c0 … .blog-c7); the letter
// beside the colour keeps blogs apart for readers who do not see the colours.
export const paletteSize = 8;

export interface BlogMark {
  id: number;
  name: string;
  homeUrl: string;
  colour: number;
  letter: string;
  /** Entries of the blog among those the marks were assigned from. */
  entries: number;
}

/** Returns the letter a blog's mark shows: the first letter or digit of its name, upper-cased. */
export function markLetter(name: string): string {
  const letter = /\p{L}|\p{N}/u.exec(name)?.[0];
  return letter ? letter.toLocaleUpperCase() : '·';
}

/** Gives each blog a colour and letter in order of first appearance among `entries` (time order for a debate). */
export function assignBlogMarks(entries: Iterable<{ blog: BlogRef | null }>): Map<number, BlogMark> {
  const marks = new Map<number, BlogMark>();
  for (const e of entries) {
    if (!e.blog) continue;
    const known = marks.get(e.blog.id);
    if (known) {
      known.entries += 1;
      continue;
    }
    const name = blogName(e.blog);
    marks.set(e.blog.id, { id: e.blog.id, name, homeUrl: e.blog.homeUrl, colour: marks.size % paletteSize, letter: markLetter(name), entries: 1 });
  }
  return marks;
}
