// Cuts an RSS or Atom document into its items' text and the rest (the feed's context), so a poll
// can tell the items it read before by their text alone and parse only the others
// (src/reader/read-items.ts). A document it cannot cut with certainty is not cut, and is read
// whole as before: a DOCTYPE (its entities could change any item), items under a prefix or inside
// one another, a self-closing item, an unclosed CDATA section or comment, both <item> and <entry>.

/** Where each item of a document stands: [start, end) of its text, from its start tag to its end tag. */
export interface ItemChunks {
  spans: [number, number][];
}

// What the scan stops at: a CDATA section, a comment, any other declaration (<!DOCTYPE, where
// entities may be declared), a processing instruction, and a start or end tag of an item or an
// entry, prefixed or not. Everything between is passed over by the regular expression engine.
const marks = /<(?:!(\[CDATA\[|--)?|\?|(\/?)([^\s>/:<]+:)?(item|entry)(?=[\s>/]))/g;

/** Finds the items of an RSS (<item>) or Atom (<entry>) document, or null when it cannot be cut with certainty. */
export function findItemChunks(xml: string): ItemChunks | null {
  const spans: [number, number][] = [];
  let tag: string | null = null;
  let open = -1;
  const scan = new RegExp(marks);
  for (let m = scan.exec(xml); m !== null; m = scan.exec(xml)) {
    const [mark, section, slash, prefix, name] = m;
    if (mark === '<!') return null;
    if (section !== undefined || mark === '<?') {
      const closer = section === '[CDATA[' ? ']]>' : section === '--' ? '-->' : '?>';
      const end = xml.indexOf(closer, m.index + mark.length);
      if (end < 0) return null;
      scan.lastIndex = end + closer.length;
      continue;
    }
    if (prefix !== undefined || (tag !== null && tag !== name)) return null;
    tag = name!;
    const gt = xml.indexOf('>', scan.lastIndex);
    if (gt < 0) return null;
    if (slash) {
      if (open < 0) return null;
      spans.push([open, gt + 1]);
      open = -1;
    } else {
      if (open >= 0 || xml.charCodeAt(gt - 1) === 0x2f) return null;
      open = m.index;
    }
    scan.lastIndex = gt + 1;
  }
  if (open >= 0 || spans.length === 0) return null;
  return { spans };
}

// What the feed says of itself that changes with every new item and that no item's reading
// uses: RSS's lastBuildDate and pubDate, Atom's updated, RSS 1.0's dc:date (xml-item.ts reads
// none of them). Left out of the context's text, so a new post does not make every other item new.
const volatile = /<(lastBuildDate|pubDate|updated|dc:date)>[^<]*<\/\1>/g;

/**
 * The text an item's reading depends on besides its own: everything outside the items, without
 * the whitespace between them nor the dates of the feed's last change.
 */
export function contextText(xml: string, chunks: ItemChunks): string {
  const pieces: string[] = [];
  let at = 0;
  for (const [start, end] of chunks.spans) {
    const piece = xml.slice(at, start);
    if (piece.trim() !== '' || at === 0) pieces.push(piece);
    at = end;
  }
  pieces.push(xml.slice(at));
  return pieces.join('\u0000').replace(volatile, '');
}

/** The document with only the items `keep` says, everything else as it was. */
export function withItems(xml: string, chunks: ItemChunks, keep: readonly boolean[]): string {
  let out = '';
  let at = 0;
  chunks.spans.forEach(([start, end], k) => {
    out += xml.slice(at, start);
    if (keep[k]) out += xml.slice(start, end);
    at = end;
  });
  return out + xml.slice(at);
}
