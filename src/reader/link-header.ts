// HTTP Link headers (RFC 8288) as discovery and comment pages read them, and the resolving of a
// link found on a page against it. Pure: no I/O.

/** Resolves a link against its page; http(s) only, an empty one being the page itself. */
export function resolveUrl(href: string | undefined, base: string): string | null {
  if (href === undefined) return null;
  try {
    const u = new URL(href.trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Splits an HTTP Link header into its links with their rel values (RFC 8288). */
export function parseLinkHeader(value: string | undefined, base: string): { url: string; rels: string[] }[] {
  if (!value) return [];
  const out: { url: string; rels: string[] }[] = [];
  // One pass that never looks back (a header of stray "<" and ";" once took seconds in a regular
  // expression): a link is <target> and its parameters up to a comma outside quotes.
  let at = 0;
  while (at < value.length) {
    const open = value.indexOf('<', at);
    if (open === -1) break;
    const close = value.indexOf('>', open + 1);
    if (close === -1) break;
    const target = value.slice(open + 1, close);
    let rels: string[] | null = null;
    at = close + 1;
    while (at < value.length && value[at] !== ',') {
      if (value[at] !== ';') {
        at += 1;
        continue;
      }
      const nameAt = at + 1;
      at = nameAt;
      while (at < value.length && value[at] !== '=' && value[at] !== ';' && value[at] !== ',') at += 1;
      const name = value.slice(nameAt, at).trim().toLowerCase();
      let param = '';
      if (value[at] === '=') {
        at += 1;
        while (value[at] === ' ' || value[at] === '\t') at += 1;
        if (value[at] === '"') {
          // A quoted string may hold commas and semicolons, and \" (RFC 9110 §5.6.4).
          let text = '';
          for (at += 1; at < value.length && value[at] !== '"'; at += 1) text += value[at] === '\\' ? (value[++at] ?? '') : value[at];
          param = text;
          at += 1;
        } else {
          const valueAt = at;
          while (at < value.length && value[at] !== ';' && value[at] !== ',') at += 1;
          param = value.slice(valueAt, at).trim();
        }
      }
      // RFC 8288 §3.3: a rel after the first is ignored.
      if (name === 'rel' && rels === null) rels = param.toLowerCase().split(/\s+/).filter(Boolean);
    }
    at += 1;
    const resolved = rels ? resolveUrl(target, base) : null;
    if (rels && resolved) out.push({ url: resolved, rels });
  }
  return out;
}
