// Trimming a run of characters off the end of text from outside (a URL's slashes, a srcset's
// commas, a sentence's full stop after a bare URL) in one pass. A regular expression such as
// /\/+$/ tries every start within a run that something else follows, so its time grows with the
// square of the run: a link with 40,000 slashes in its path took 1.4 s to key.

/** `text` without the characters of `chars` it ends with. */
export function trimEndOf(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}
