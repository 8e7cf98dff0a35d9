// Long CDATA sections lifted out of feed XML before sax reads it, and put back into the values
// xml2js hands on. sax walks a CDATA section character by character though it keeps it verbatim,
// and about half of a WordPress feed's text is long CDATA (content:encoded, description): each
// section is replaced by a short placeholder and restored, as the same text, where xml2js closes
// its element.
// Every placeholder must come back; if one does not (a "CDATA" inside a comment, an attribute or
// a processing instruction, a document sax refuses), the caller reads the original text instead.

/** Sections shorter than this are left in place: lifting them would save less than it costs. */
const liftFromChars = 256;

// Private-use characters: a document that holds either is read as it is, never lifted.
const open = '\uE000';
const close = '\uE001';
const placeholder = /\uE000(\d+)\uE001/g;

export interface LiftedCdata {
  /** The text with each long section's content replaced by its placeholder. */
  xml: string;
  /** Puts the lifted text back into a value xml2js read (a valueProcessor). */
  restore: (value: string) => string;
  /** Whether every section came back (each placeholder is in the text once, so at most once). */
  complete: () => boolean;
}

/** Lifts the CDATA sections of at least minChars out of xml, or answers null when there is none. */
export function liftCdata(xml: string, minChars = liftFromChars): LiftedCdata | null {
  if (xml.includes(open) || xml.includes(close)) return null;
  const sections: string[] = [];
  let out = '';
  let last = 0;
  let from = xml.indexOf('<![CDATA[');
  while (from >= 0) {
    const start = from + 9;
    const end = xml.indexOf(']]>', start);
    if (end < 0) break;
    if (end - start >= minChars) {
      out += xml.slice(last, start) + open + sections.length + close;
      sections.push(xml.slice(start, end));
      last = end;
    }
    from = xml.indexOf('<![CDATA[', end + 3);
  }
  if (!sections.length) return null;
  out += xml.slice(last);
  const restored = new Uint8Array(sections.length);
  return {
    xml: out,
    restore: (value) =>
      value.includes(open)
        ? value.replace(placeholder, (_, n: string) => {
            restored[Number(n)] = 1;
            return sections[Number(n)]!;
          })
        : value,
    complete: () => restored.every((r) => r === 1),
  };
}
